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

/** Strings without characters JSON escapes or UTF-8 widens cost their length plus quotes. */
const stringSize = (text: string): number => {
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e || code === 0x22 || code === 0x5c) {
      return Buffer.byteLength(JSON.stringify(text), 'utf8');
    }
  }
  return text.length + 2;
};

const objectSize = (value: object): number => {
  const known = memo.get(value);
  if (known !== undefined) return known;
  let size: number;
  if (value instanceof Date)
    size = Number.isNaN(value.getTime()) ? 4 : stringSize(value.toISOString());
  else if (Array.isArray(value)) size = arraySize(value);
  else size = fieldsSize(value as Record<string, unknown>);
  memo.set(value, size);
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
