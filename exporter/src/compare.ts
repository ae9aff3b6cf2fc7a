/**
 * Orders strings by code point: deterministic, and unlike localeCompare it never loads ICU's collation
 * data (~2 MB of resident memory for good) for keys that are ASCII identifiers anyway.
 */
export const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
