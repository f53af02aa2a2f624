/** Units of economy's quantities (UCUM-style unit text). */

/** An amount of money in euros. */
export const euros = (value: number) => ({ value, unit: 'EUR' });
/** A headcount of salaried jobs. */
export const jobs = (value: number) => ({ value, unit: '{jobs}' });
/** A percentage. */
export const percent = (value: number) => ({
  value: Math.round(value * 10) / 10,
  unit: '%',
});
