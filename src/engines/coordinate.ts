import { InputError } from '../core/errors.js';

/**
 * A coordinate with every digit of the double (the shortest text that reads back as the same
 * number), always in plain decimal notation with a decimal point.
 */
export function coordinate(value: number): string {
  if (!Number.isFinite(value)) throw new InputError('molecule.atoms', `bad coordinate ${value}`);
  const text = plainDecimal(String(value === 0 ? 0 : value));
  return text.includes('.') ? text : `${text}.0`;
}

// `1.5e-10` → `0.00000000015`: the same digits, the decimal point moved (no rounding).
function plainDecimal(text: string): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?e([-+]\d+)$/.exec(text);
  if (match === null) return text;
  const [, sign = '', whole = '', fraction = '', exponent = '0'] = match;
  const digits = whole + fraction;
  const point = whole.length + Number(exponent);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}.0`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}
