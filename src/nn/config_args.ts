/**
 * @module Argument checks shared by components built from configs (backbones, necks, heads).
 *
 * Python raises `TypeError: __init__() got an unexpected keyword argument 'x'` for a misspelt
 * config key; these helpers raise the same, plus the config path and the nearest valid keys.
 */
import type { BuildContext } from '../registry/registry.js';
import { TypeError_, ValueError } from '../utils/errors.js';
import { nearestNames } from '../utils/nearest.js';

/** Joins a context path and a key: `model.backbone` + `depth` → `model.backbone.depth`. */
export function keyPath(ctx: BuildContext | undefined, key: string): string {
  return ctx?.path === undefined || ctx.path === '' ? key : `${ctx.path}.${key}`;
}

/**
 * Throws for keys of `cfg` that `allowed` lacks (`type` is always allowed).
 * @throws TypeError_ `CONFIG_UNEXPECTED_KEY` naming the key, its config path and the nearest names
 */
export function assertKnownKeys(className: string, cfg: object, allowed: readonly string[], ctx?: BuildContext): void {
  for (const k of Object.keys(cfg)) {
    if (k === 'type' || allowed.includes(k)) continue;
    const near = nearestNames(k, allowed);
    throw new TypeError_('CONFIG_UNEXPECTED_KEY', `${className}.__init__() got an unexpected keyword argument '${k}'`, {
      configPath: keyPath(ctx, k),
      file: ctx?.file,
      hint: `did you mean ${near.map((n) => `'${n}'`).join(', ')}?`,
    });
  }
}

/**
 * Throws a ValueError naming the config key when `ok` is false (mmdet's `assert`s).
 * @throws ValueError `CONFIG_INVALID_VALUE`
 */
export function checkArg(ok: boolean, ctx: BuildContext | undefined, key: string, message: string): asserts ok {
  if (!ok) throw new ValueError('CONFIG_INVALID_VALUE', `${message} (config key ${keyPath(ctx, key)})`, { configPath: keyPath(ctx, key), file: ctx?.file });
}
