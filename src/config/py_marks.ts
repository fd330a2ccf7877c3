/**
 * @module Python facts that plain JS data loses, kept as non-enumerable marks on config nodes:
 * which numbers are floats with an integral value (`1.0`, `2.0`), which arrays are tuples
 * (`(1333, 800)` from `--cfg-options`), and the insertion order of `--cfg-options` keys.
 *
 * JS has one number type, but mmcv's messages print `1.0` and `<class 'float'>` where the file
 * said `1.0`. The YAML/JSON loaders and the `--cfg-options` parser record such values as a
 * non-enumerable set of keys on their container; copies and merges carry the marks along, and
 * the Python `repr` of error messages and pretty text reads them. Non-integral numbers need no
 * mark (they can only be floats). Tuples are arrays flagged the same way, so messages print
 * `('a', 'b')` where mmcv does; everywhere else they are plain arrays (JSON has no tuples).
 * Porting note: `.ts/.js` configs cannot say `1.0` apart from `1`.
 */

const FLOAT_KEYS = Symbol.for('detkit.config.floatKeys');
const TUPLE = Symbol.for('detkit.config.tuple');
const KEY_ORDER = Symbol.for('detkit.config.keyOrder');

type Marked = { [FLOAT_KEYS]?: Set<string>; [TUPLE]?: true };

/**
 * Records that `key` was inserted into `obj` (JS lists integer-like keys such as `'3'` first;
 * Python keeps insertion order). Used for the dicts built from `--cfg-options`.
 */
export function recordKeyOrder(obj: object, key: string): void {
  const o = obj as { [KEY_ORDER]?: string[] };
  if (o[KEY_ORDER] === undefined) Object.defineProperty(o, KEY_ORDER, { value: [], enumerable: false, configurable: true, writable: true });
  if (!o[KEY_ORDER]!.includes(key)) o[KEY_ORDER]!.push(key);
}

/** `Object.entries(obj)` in Python insertion order when it was recorded, else in JS order. */
export function orderedEntries(obj: Record<string, unknown>): [string, unknown][] {
  const order = (obj as { [KEY_ORDER]?: string[] })[KEY_ORDER];
  const entries = Object.entries(obj);
  if (order === undefined || order.length !== entries.length) return entries;
  return order.map((k) => [k, obj[k]]);
}

/** Flags an array as a Python tuple. */
export function markTuple<T extends unknown[]>(arr: T): T {
  Object.defineProperty(arr, TUPLE, { value: true, enumerable: false, configurable: true, writable: true });
  return arr;
}

/** Whether an array was a Python tuple. */
export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && (v as Marked)[TUPLE] === true;
}

/** A float with an integral value as a loader produces it, before it is unwrapped into a number. */
export class PyFloat {
  /** @param value the float's value */
  constructor(readonly value: number) {}
  /** Python's repr (used when YAML makes a map key of it). */
  toString(): string {
    return Number.isInteger(this.value) ? `${this.value}.0` : String(this.value);
  }
}

/** Records whether `container[key]` is an integral Python float. */
export function markFloat(container: object, key: string | number, isFloat: boolean): void {
  const c = container as Marked;
  if (isFloat) {
    if (c[FLOAT_KEYS] === undefined) Object.defineProperty(c, FLOAT_KEYS, { value: new Set<string>(), enumerable: false, configurable: true, writable: true });
    c[FLOAT_KEYS]!.add(String(key));
  } else {
    c[FLOAT_KEYS]?.delete(String(key));
  }
}

/** Whether `container[key]` was written as a float (`1.0`); true for any non-integral number. */
export function isFloatAt(container: unknown, key: string | number): boolean {
  if (typeof container !== 'object' || container === null) return false;
  const v = (container as Record<string, unknown>)[key as string];
  if (typeof v !== 'number') return false;
  if (!Number.isInteger(v)) return true;
  return (container as Marked)[FLOAT_KEYS]?.has(String(key)) ?? false;
}

/** Copies the float marks (same keys), the tuple flag and the recorded key order of `from` onto `to`. */
export function copyPyMarks(from: object, to: object): void {
  if (isTuple(from) && Array.isArray(to)) markTuple(to);
  const order = (from as { [KEY_ORDER]?: string[] })[KEY_ORDER];
  if (order !== undefined) Object.defineProperty(to, KEY_ORDER, { value: [...order], enumerable: false, configurable: true, writable: true });
  const marks = (from as Marked)[FLOAT_KEYS];
  if (marks === undefined || marks.size === 0) return;
  Object.defineProperty(to, FLOAT_KEYS, { value: new Set(marks), enumerable: false, configurable: true, writable: true });
}

/**
 * Replaces every {@link PyFloat} in loaded data by its number, marking its container.
 * @returns the data (containers are modified in place; a bare PyFloat becomes a number)
 */
export function unwrapFloats(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      if (x instanceof PyFloat) {
        v[i] = x.value;
        markFloat(v, i, true);
      } else unwrapFloats(x);
    });
  } else if (typeof v === 'object' && v !== null) {
    const o = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(o)) {
      if (x instanceof PyFloat) {
        o[k] = x.value;
        markFloat(o, k, true);
      } else unwrapFloats(x);
    }
  }
  return v;
}
