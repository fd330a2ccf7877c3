/**
 * @module Port of `mmcv/runner/priority.py`: hook priorities (lower runs earlier).
 */
import { KeyError, TypeError_, ValueError } from '../../utils/errors.js';

/** mmcv's named priorities. */
export const Priority = {
  HIGHEST: 0,
  VERY_HIGH: 10,
  HIGH: 30,
  ABOVE_NORMAL: 40,
  NORMAL: 50,
  BELOW_NORMAL: 60,
  LOW: 70,
  VERY_LOW: 90,
  LOWEST: 100,
} as const;

/** A priority name as written in configs (any case). */
export type PriorityName = keyof typeof Priority;

/**
 * Resolves a priority as mmcv's `get_priority`: an int in [0, 100] or a name (case-insensitive).
 * @throws ValueError `HOOK_PRIORITY_RANGE` for an int outside [0, 100]
 * @throws KeyError `HOOK_PRIORITY_NAME` for an unknown name
 * @throws TypeError_ `HOOK_PRIORITY_TYPE` for anything else
 */
export function getPriority(p: number | string): number {
  if (typeof p === 'number') {
    if (!Number.isInteger(p)) throw new TypeError_('HOOK_PRIORITY_TYPE', 'priority must be an integer or Priority enum value');
    if (p < 0 || p > 100) throw new ValueError('HOOK_PRIORITY_RANGE', 'priority must be between 0 and 100');
    return p;
  }
  if (typeof p === 'string') {
    const v = (Priority as Record<string, number>)[p.toUpperCase()];
    if (v === undefined) throw new KeyError('HOOK_PRIORITY_NAME', `'${p.toUpperCase()}'`, { hint: `one of ${Object.keys(Priority).join(', ')}` });
    return v;
  }
  throw new TypeError_('HOOK_PRIORITY_TYPE', 'priority must be an integer or Priority enum value');
}

/** The enum name for a priority value, or the number itself (mmcv `get_hook_info`). */
export function priorityName(value: number): string {
  const hit = Object.entries(Priority).find(([, v]) => v === value);
  return hit === undefined ? String(value) : hit[0];
}
