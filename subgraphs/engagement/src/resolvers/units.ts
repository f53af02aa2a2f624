/** Units of engagement's quantities (UCUM-style unit text). */

/** A share in percent, rounded to 0.1. */
export const percent = (value: number) => ({
  value: Math.round(value * 10) / 10,
  unit: '%',
});
