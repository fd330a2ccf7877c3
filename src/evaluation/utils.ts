/**
 * @module Helpers shared by the evaluators: Python-compatible number formatting, terminaltables'
 * `AsciiTable`, numpy's pairwise summation and float32 emulation, and the stable sorts and
 * grouping that reproduce numpy's `argsort(kind='mergesort')` on typed arrays.
 *
 * Printed tables and rounded metric values must read exactly as mmdet prints them, so formatting
 * follows CPython (`f'{x:.3f}'` rounds half to even on the exact binary value, `str(0.5)` is
 * `'0.5'`, `str(1.0)` is `'1.0'`) rather than JavaScript's `toFixed`/`String`.
 */

/**
 * Formats `x` as Python's `f'{x:.{digits}f}'`.
 * Porting note: `Number.prototype.toFixed` rounds exact ties (e.g. 0.0625 → '0.063') away from
 * zero; CPython rounds them to even ('0.062'). Ties are detected on the exact decimal expansion.
 * @param x any number (`nan`, `inf` are spelt as Python does)
 * @param digits digits after the point (0–20)
 */
export function formatFixed(x: number, digits: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (Math.abs(x) >= 1e21) return x.toFixed(digits);
  const exact = Math.abs(x).toFixed(Math.min(100, digits + 40));
  const dot = exact.indexOf('.');
  if (/^50*$/.test(exact.slice(dot + 1 + digits))) {
    // An exact tie: keep the truncated digits if the last one is even, else add one unit.
    const kept = exact.slice(0, dot + 1 + digits).replace(/\.$/, '');
    const sign = x < 0 ? '-' : '';
    return sign + (Number(kept[kept.length - 1]) % 2 === 0 ? kept : incrementDecimal(kept));
  }
  return x.toFixed(digits);
}

/** Adds one unit in the last place to a non-negative decimal string (`'0.069'` → `'0.070'`). */
function incrementDecimal(s: string): string {
  const d = s.split('');
  let i = d.length - 1;
  for (; i >= 0; i--) {
    if (d[i] === '.') continue;
    if (d[i] === '9') d[i] = '0';
    else {
      d[i] = String(Number(d[i]) + 1);
      break;
    }
  }
  return i < 0 ? `1${d.join('')}` : d.join('');
}

/**
 * Python's `round(x, digits)` for floats (round half to even on the exact value).
 * @returns the rounded number
 */
export function pyRound(x: number, digits: number): number {
  return Number(formatFixed(x, digits));
}

/**
 * Python's `str(x)` / `repr(x)` of a float (`0.5` → `'0.5'`, `1` → `'1.0'`, `1e-5` → `'1e-05'`).
 * @param x a finite or non-finite number
 */
export function pyFloatStr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const ax = Math.abs(x);
  if (ax < 1e-4 || ax >= 1e16) {
    const [mant, exp] = x.toExponential().split('e') as [string, string];
    const e = Number(exp);
    const ePart = `${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
    return `${mant}e${ePart}`;
  }
  const s = String(x);
  return Number.isInteger(x) ? `${s}.0` : s;
}

/**
 * Renders rows as terminaltables' `AsciiTable` (left-aligned, one space of padding, a border under
 * the heading row). Cells are stringified as Python's `str` would (`null` → `'None'`).
 * @param rows table rows, the first is the heading
 * @param innerFootingRowBorder draw a border above the last row (`inner_footing_row_border`)
 * @returns the table text without a trailing newline
 */
export function asciiTable(rows: ReadonlyArray<ReadonlyArray<string | number | null>>, innerFootingRowBorder = false): string {
  const cells = rows.map((r) => r.map((c) => (c === null ? 'None' : String(c))));
  const ncol = Math.max(0, ...cells.map((r) => r.length));
  for (const r of cells) while (r.length < ncol) r.push('');
  const widths = Array.from({ length: ncol }, (_, j) => Math.max(0, ...cells.map((r) => r[j]!.length)));
  const border = `+${widths.map((w) => '-'.repeat(w + 2)).join('+')}+`;
  const line = (r: string[]): string => `|${r.map((c, j) => ` ${c.padEnd(widths[j]!)} `).join('|')}|`;
  const out = [border];
  cells.forEach((r, i) => {
    out.push(line(r));
    if (i === 0 && cells.length > 1) out.push(border);
    else if (innerFootingRowBorder && i === cells.length - 2 && i > 0) out.push(border);
  });
  out.push(border);
  return out.join('\n');
}

/**
 * numpy's pairwise summation (`np.add.reduce` on a contiguous float64 array), so means match
 * numpy to the last bit.
 * @param a values
 * @param start first index
 * @param n number of values
 */
export function pairwiseSum(a: ArrayLike<number>, start = 0, n = a.length - start): number {
  if (n < 8) {
    let res = 0;
    for (let i = 0; i < n; i++) res += a[start + i]!;
    return res;
  }
  if (n <= 128) {
    const r = [0, 0, 0, 0, 0, 0, 0, 0];
    for (let j = 0; j < 8; j++) r[j] = a[start + j]!;
    let i = 8;
    for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j]! += a[start + i + j]!;
    let res = r[0]! + r[1]! + (r[2]! + r[3]!) + (r[4]! + r[5]! + (r[6]! + r[7]!));
    for (; i < n; i++) res += a[start + i]!;
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwiseSum(a, start, n2) + pairwiseSum(a, start + n2, n - n2);
}

/**
 * `np.mean` of a float32 array (float32 pairwise accumulation, then a float32 division).
 * @param a float32 values
 */
export function float32Mean(a: ArrayLike<number>): number {
  const f = Math.fround;
  const sum = (start: number, n: number): number => {
    if (n < 8) {
      let res = 0;
      for (let i = 0; i < n; i++) res = f(res + a[start + i]!);
      return res;
    }
    if (n <= 128) {
      const r = [0, 0, 0, 0, 0, 0, 0, 0];
      for (let j = 0; j < 8; j++) r[j] = a[start + j]!;
      let i = 8;
      for (; i < n - (n % 8); i += 8) for (let j = 0; j < 8; j++) r[j] = f(r[j]! + a[start + i + j]!);
      let res = f(f(f(r[0]! + r[1]!) + f(r[2]! + r[3]!)) + f(f(r[4]! + r[5]!) + f(r[6]! + r[7]!)));
      for (; i < n; i++) res = f(res + a[start + i]!);
      return res;
    }
    let n2 = Math.floor(n / 2);
    n2 -= n2 % 8;
    return f(sum(start, n2) + sum(start + n2, n - n2));
  };
  return f(sum(0, a.length) / a.length);
}

/**
 * `np.linspace(start, stop, num)` with numpy's arithmetic (`i * step + start`, last = `stop`).
 * @returns `num` float64 values
 */
export function linspace(start: number, stop: number, num: number): number[] {
  const div = num - 1;
  const step = (stop - start) / div;
  const out: number[] = [];
  for (let i = 0; i < num; i++) out.push(i * step + start);
  if (num > 1) out[num - 1] = stop;
  return out;
}

/** A logger for printed tables: mmcv's `print_log` to stdout by default. */
export type LogFn = (line: string) => void;

/** The default logger: writes the text and a newline to stdout. */
export const stdoutLog: LogFn = (line) => {
  process.stdout.write(`${line}\n`);
};

/**
 * Stable sort of `idx[from, to)` in place by `score[idx[i]]` descending: ties keep their current
 * order (numpy `argsort(-s, kind='mergesort')` over the run as it stands). Short runs use an
 * insertion sort; long ones sort positions with a position tie-break.
 */
export function sortByScore(idx: Int32Array, score: Float64Array, from = 0, to = idx.length): void {
  const n = to - from;
  if (n > 48) {
    radixSortDesc(idx, score, from, n);
    return;
  }
  for (let i = from + 1; i < to; i++) {
    const v = idx[i]!;
    const sv = score[v]!;
    let j = i - 1;
    while (j >= from && score[idx[j]!]! < sv) {
      idx[j + 1] = idx[j]!;
      j--;
    }
    idx[j + 1] = v;
  }
}

const keyF64 = new Float64Array(1);
const keyU32 = new Uint32Array(keyF64.buffer);

/**
 * Stable LSD radix sort (8 passes of 8 bits) of `idx[from, from+n)` by score descending: the key is
 * the IEEE-754 bit pattern of −score made order-preserving as an unsigned 64-bit integer.
 */
function radixSortDesc(idx: Int32Array, score: Float64Array, from: number, n: number): void {
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    keyF64[0] = -score[idx[from + i]!]! + 0; // + 0 folds −0 into +0
    const l = keyU32[0]!;
    const h = keyU32[1]!;
    if (h & 0x80000000) {
      lo[i] = ~l >>> 0;
      hi[i] = ~h >>> 0;
    } else {
      lo[i] = l;
      hi[i] = (h | 0x80000000) >>> 0;
    }
  }
  let src = new Int32Array(n);
  for (let i = 0; i < n; i++) src[i] = i;
  let dst = new Int32Array(n);
  const count = new Int32Array(257);
  for (let pass = 0; pass < 8; pass++) {
    const word = pass < 4 ? lo : hi;
    const shift = (pass % 4) * 8;
    count.fill(0);
    for (let i = 0; i < n; i++) count[((word[src[i]!]! >>> shift) & 0xff) + 1]!++;
    if (count[1] === n) continue; // every key has the same byte here
    for (let b = 0; b < 256; b++) count[b + 1]! += count[b]!;
    for (let i = 0; i < n; i++) {
      const j = src[i]!;
      dst[count[(word[j]! >>> shift) & 0xff]!++] = j;
    }
    const t = src;
    src = dst;
    dst = t;
  }
  const vals = idx.slice(from, from + n);
  for (let i = 0; i < n; i++) idx[from + i] = vals[src[i]!]!;
}

/**
 * Stable counting sort of item indices by bucket key; keys < 0 are dropped.
 * @returns `order` (item indices by bucket, file order within) and `start` (`[nBuckets+1]` offsets)
 */
export function bucketSort(keys: Int32Array, nBuckets: number): { order: Int32Array; start: Int32Array } {
  const start = new Int32Array(nBuckets + 1);
  for (let j = 0; j < keys.length; j++) if (keys[j]! >= 0) start[keys[j]! + 1]!++;
  for (let b = 0; b < nBuckets; b++) start[b + 1]! += start[b]!;
  const order = new Int32Array(start[nBuckets]!);
  const fill = start.slice(0, nBuckets);
  for (let j = 0; j < keys.length; j++) {
    const k = keys[j]!;
    if (k >= 0) order[fill[k]!++] = j;
  }
  return { order, start };
}
