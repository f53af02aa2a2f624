/** Units of environment's quantities (UCUM-style unit text). */

const round = (value: number, decimals: number) =>
  Math.round(value * 10 ** decimals) / 10 ** decimals;

/** A mass concentration in µg/m3. */
export const concentration = (value: number) => ({
  value: round(value, 1),
  unit: 'µg/m3',
});
/** A sound level in dB(A). */
export const decibels = (value: number) => ({
  value: round(value, 1),
  unit: 'dB(A)',
});
/** A volume of water in m3. */
export const cubicMetres = (value: number) => ({
  value: round(value, 2),
  unit: 'm3',
});
/** A flow of water in m3/h. */
export const cubicMetresPerHour = (value: number) => ({
  value: round(value, 2),
  unit: 'm3/h',
});
/** A length in mm. */
export const millimetres = (value: number) => ({ value, unit: 'mm' });
/** A power in kW. */
export const kilowatts = (value: number) => ({
  value: round(value, 1),
  unit: 'kW',
});
/** An energy per year in MWh. */
export const megawattHoursPerYear = (value: number) => ({
  value: round(value, 1),
  unit: 'MWh/a',
});
