/**
 * The size in bytes of a value's JSON text (UTF-8), as `JSON.stringify` would write it,
 * without writing it. Sizes of objects are memoised by identity: stored objects are
 * immutable and share their large parts (a pod's containers with its template), so the
 * size of a new pod version costs its changed parts only and accounting stays cheap.
 */

const memo = new WeakMap<object, number>();

/** Bytes of `JSON.stringify(value)`; 0 where it would write nothing (undefined). */
export const jsonSize = (value: unknown): number => {
  switch (typeof value) {
    case 'string':
      return stringSize(value);
    case 'number':
      return Number.isFinite(value) ? String(value).length : 4;
    case 'boolean':
      return value ? 4 : 5;
    case 'object':
      return value === null ? 4 : objectSize(value);
    default:
      return 0;
  }
};

/** Characters JSON escapes, and any beyond ASCII (UTF-8 takes more than one byte). */
const NOT_PLAIN = /[^\x20-\x21\x23-\x5b\x5d-\x7e]/;

/** Plain strings (the vast majority) cost their length plus quotes. */
const stringSize = (text: string): number =>
  NOT_PLAIN.test(text) ? Buffer.byteLength(JSON.stringify(text), 'utf8') : text.length + 2;

/** `"YYYY-MM-DDTHH:mm:ss.sssZ"` for years 0 to 9999, without formatting it. */
const MIN_FOUR_DIGIT_YEAR_MS = -62_167_219_200_000;
const MAX_FOUR_DIGIT_YEAR_MS = 253_402_300_799_999;
const dateSize = (date: Date): number => {
  const time = date.getTime();
  if (Number.isNaN(time)) return 4;
  if (time >= MIN_FOUR_DIGIT_YEAR_MS && time <= MAX_FOUR_DIGIT_YEAR_MS) return 26;
  return stringSize(date.toISOString());
};

/**
 * Small objects are cheaper to measure again than to look up: only sizes above this are
 * memoised, which keeps the memo (and the garbage collector's work on it) small.
 */
const MEMO_MIN_BYTES = 128;

const objectSize = (value: object): number => {
  if (value instanceof Date) return dateSize(value);
  const known = memo.get(value);
  if (known !== undefined) return known;
  const size = Array.isArray(value)
    ? arraySize(value)
    : fieldsSize(value as Record<string, unknown>);
  if (size >= MEMO_MIN_BYTES) memo.set(value, size);
  return size;
};

/** `[a,b]`: brackets, commas, and `null` for items JSON cannot write. */
const arraySize = (items: readonly unknown[]): number => {
  let size = 2 + Math.max(0, items.length - 1);
  for (const item of items) size += writable(item) ? jsonSize(item) : 4;
  return size;
};

/** `{"k":v,...}`: fields JSON cannot write (undefined, functions) are left out. */
const fieldsSize = (fields: Readonly<Record<string, unknown>>): number => {
  let size = 2;
  let written = 0;
  for (const key of Object.keys(fields)) {
    const field = fields[key];
    if (!writable(field)) continue;
    size += stringSize(key) + 1 + jsonSize(field);
    written += 1;
  }
  return size + Math.max(0, written - 1);
};

const writable = (value: unknown): boolean =>
  value !== undefined && typeof value !== 'function' && typeof value !== 'symbol';
