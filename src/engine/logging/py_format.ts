/**
 * @module Python formatting the engine's logs must reproduce byte for byte (mmcv `TextLoggerHook`,
 * `json.dump`, `datetime.timedelta`, `time.strftime`, `logging` asctime).
 *
 * Porting note: style.md places such helpers in `utils/`; they live here until that folder offers them.
 */

/** Python `'{:.<digits>e}'.format(x)`: two-digit exponent minimum (`6.500e-03`). */
export function pyExp(x: number, digits: number): string {
  if (!Number.isFinite(x)) return pyNonFinite(x);
  const s = x.toExponential(digits);
  const [mant, exp] = s.split('e') as [string, string];
  const sign = exp.startsWith('-') ? '-' : '+';
  const mag = exp.replace(/^[+-]/, '');
  return `${mant}e${sign}${mag.padStart(2, '0')}`;
}

/** Python `'{:.<digits>f}'.format(x)`. */
export function pyFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return pyNonFinite(x);
  return x.toFixed(digits);
}

function pyNonFinite(x: number): string {
  return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
}

/** Python `round(x, n)` for floats (to nearest on the exact binary value). */
export function pyRound(x: number, n: number): number {
  if (!Number.isFinite(x)) return x;
  return Number(x.toFixed(n));
}

/**
 * Python `repr(float)`: shortest round-trip digits, exponent form below 1e-4 or from 1e16
 * (`1e-05`, `0.0001`, `100.0`).
 */
export function pyFloatRepr(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expStr] = x.toExponential().split('e') as [string, string];
  const exp = Number(expStr);
  if (exp < -4 || exp >= 16) {
    const sign = exp < 0 ? '-' : '+';
    return `${mant}e${sign}${String(Math.abs(exp)).padStart(2, '0')}`;
  }
  const s = String(x);
  return s.includes('.') || s.includes('e') ? s : `${s}.0`;
}

/**
 * `json.dumps(value)` with Python's default separators (`", "`, `": "`). Numbers are written as
 * Python floats unless they are integers whose key is in `intKeys` (`'all'`: every integer), or
 * integers outside any object.
 */
export function pyJsonDumps(value: unknown, intKeys: ReadonlySet<string> | 'all' = new Set(), key?: string): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isInteger(value) && (key === undefined || intKeys === 'all' || intKeys.has(key))) return String(value);
    return pyFloatRepr(value);
  }
  if (typeof value === 'bigint') return String(value);
  if (typeof value === 'string') return JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  if (Array.isArray(value)) return `[${value.map((v) => pyJsonDumps(v, intKeys, key)).join(', ')}]`;
  if (typeof value === 'object') {
    const items = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${items.map(([k, v]) => `${JSON.stringify(k)}: ${pyJsonDumps(v, intKeys, k)}`).join(', ')}}`;
  }
  return JSON.stringify(String(value));
}

/** `str(datetime.timedelta(seconds=int(s)))`: `H:MM:SS`, `1 day, 14:38:06`, `2 days, 0:00:01`. */
export function pyTimedelta(seconds: number): string {
  let s = Math.trunc(seconds);
  const neg = s < 0;
  if (neg) s = -s;
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const hms = `${h}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
  if (days === 0) return neg ? `-${hms}` : hms;
  return `${neg ? '-' : ''}${days} day${days === 1 ? '' : 's'}, ${hms}`;
}

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** `time.strftime('%Y%m%d_%H%M%S')` in local time (the run timestamp naming the log files). */
export function pyTimestamp(d: Date = new Date()): string {
  return `${d.getFullYear()}${pad2(d.getMonth() + 1)}${pad2(d.getDate())}_${pad2(d.getHours())}${pad2(d.getMinutes())}${pad2(d.getSeconds())}`;
}

/** Python `logging` default asctime: `2022-05-07 12:55:17,528` (local time). */
export function pyAsctime(d: Date = new Date()): string {
  return `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())},${String(d.getMilliseconds()).padStart(3, '0')}`;
}

/** `time.asctime()`: `Wed Dec 27 10:44:06 2023` (day of month space-padded). */
export function pyTimeAsctime(d: Date = new Date()): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  return `${days[d.getDay()]} ${months[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())} ${d.getFullYear()}`;
}

/** Python `repr` of a workflow: `[('train', 1), ('val', 1)]`. */
export function pyWorkflowRepr(workflow: ReadonlyArray<readonly [string, number]>): string {
  return `[${workflow.map(([m, n]) => `('${m}', ${n})`).join(', ')}]`;
}
