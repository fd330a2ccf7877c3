/**
 * @module Registers the necks in MODELS (one explicit list) and re-exports them.
 */
import { NECKS } from '../../registry/root.js';
import { FPN } from './fpn.js';

NECKS.register(FPN.type, FPN);

export { FPN, type FPNConfig, type UpsampleCfg } from './fpn.js';
