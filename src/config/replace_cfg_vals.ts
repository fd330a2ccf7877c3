/**
 * @module Port of `mmdet/utils/replace_cfg_vals.py` @ v2.28.2: replaces `"${key}"` strings with
 * values from the same config (`"${data_root}"`, `"${model.bbox_head.num_classes}"`).
 *
 * A string that is exactly one `${a.b}` takes the value itself (any type, copied); `${...}`
 * embedded in a longer string is replaced by the value's Python `str()`, which must not be a
 * dict or list. Values are read from the config before any replacement (no chaining). Finally a
 * non-null `model_wrapper` replaces `model`, as in mmdet.
 */
import { AssertionError_, KeyError } from '../utils/errors.js';
import { Config } from './config.js';
import { copyPyMarks, isFloatAt, markFloat } from './py_marks.js';
import { deepCopy, isPlainDict, type ConfigNode } from './merge.js';
import { pyRepr, pyTypeRepr } from './py_repr.js';

const PATTERN = /\$\{[a-zA-Z\d_.]*\}/g;

/** Python `str()` of a scalar config value. */
function pyStr(v: unknown, isFloat: boolean): string {
  return typeof v === 'string' ? v : pyRepr(v, isFloat);
}

/**
 * Returns a new Config with every `${key}` replaced (mmdet `replace_cfg_vals`).
 * @param cfg the loaded config (left unchanged)
 * @throws KeyError `CONFIG_KEY_NOT_FOUND` when `${a.b}` names a missing key
 * @throws AssertionError_ `CONFIG_CFG_VAL_TYPE` when a dict or list is embedded in a longer string
 */
export function replaceCfgVals(cfg: Config): Config {
  const root = cfg.dict as ConfigNode;
  const lookup = (token: string): { value: unknown; isFloat: boolean } => {
    const path = token.slice(2, -1);
    let cur: unknown = root;
    let isFloat = false;
    for (const k of path.split('.')) {
      const has = (isPlainDict(cur) && Object.hasOwn(cur, k)) || (Array.isArray(cur) && /^\d+$/.test(k) && Number(k) < cur.length);
      if (!has) {
        throw new KeyError('CONFIG_KEY_NOT_FOUND', `${token} refers to a missing config key: '${k}'`, { configPath: path, file: cfg.filename });
      }
      isFloat = isFloatAt(cur, k);
      cur = (cur as ConfigNode)[k];
    }
    return { value: cur, isFloat };
  };
  const replaceString = (s: string): { value: unknown; isFloat: boolean } => {
    const keys = s.match(PATTERN) ?? [];
    if (keys.length === 0) return { value: s, isFloat: false };
    if (keys.length === 1 && keys[0] === s) {
      const found = lookup(s);
      return { value: deepCopy(found.value), isFloat: found.isFloat };
    }
    let out = s;
    for (const key of keys) {
      const { value, isFloat } = lookup(key);
      if (Array.isArray(value) || isPlainDict(value)) {
        throw new AssertionError_(
          'CONFIG_CFG_VAL_TYPE',
          `for the format of string cfg is 'xxxxx$${key}xxxxx' or 'xxx$${key}xxx$${key}xxx', the type of the value of '$${key}' ` +
            `can not be dict, list, or tuplebut you input ${pyTypeRepr(value)} in ${s}`,
          { file: cfg.filename },
        );
      }
      out = out.split(key).join(pyStr(value, isFloat));
    }
    return { value: out, isFloat: false };
  };
  const walk = (v: unknown): unknown => {
    if (!Array.isArray(v) && !isPlainDict(v)) return v;
    const out: ConfigNode | unknown[] = Array.isArray(v) ? [...v] : { ...v };
    copyPyMarks(v, out);
    for (const [k, x] of Object.entries(v)) {
      if (typeof x === 'string') {
        const r = replaceString(x);
        (out as ConfigNode)[k] = r.value;
        markFloat(out, k, r.isFloat);
      } else {
        (out as ConfigNode)[k] = walk(x);
      }
    }
    return out;
  };
  const dict = walk(root) as ConfigNode;
  if (dict['model_wrapper'] !== undefined && dict['model_wrapper'] !== null) {
    dict['model'] = dict['model_wrapper'];
    delete dict['model_wrapper'];
  }
  return new Config(dict, cfg.filename === undefined ? { text: cfg.text } : { text: cfg.text, filename: cfg.filename });
}
