/** Units of mobility's quantities (UCUM-style unit text). */

/** A speed in km/h. */
export const speed = (value: number) => ({
  value: Math.round(value * 10) / 10,
  unit: 'km/h',
});
/** A traffic intensity in vehicles per hour. */
export const intensity = (value: number) => ({ value, unit: 'vehicles/h' });
