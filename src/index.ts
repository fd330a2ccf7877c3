/**
 * @module detkit's public API (explicit named exports only).
 */
import './register_all.js';

export { Registry } from './registry/registry.js';
export * as registries from './registry/root.js';
export { DetkitError } from './utils/errors.js';
