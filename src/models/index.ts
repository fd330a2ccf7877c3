/**
 * @module Registers the models folder's components (each subfolder's index registers its own list
 * in MODELS) and re-exports its public API.
 */
// Backbones and necks build their layers through the nn registries (CONV_LAYERS, NORM_LAYERS, ...).
import '../nn/index.js';
import './backbones/index.js';
import './necks/index.js';

export { BasicBlock, Bottleneck, ResLayer, ResNet, ResNetV1d, resolveResNetConfig, type ResNetConfig, type ResNetV1dConfig, type ResolvedResNetConfig } from './backbones/index.js';
export { FPN, type FPNConfig, type UpsampleCfg } from './necks/index.js';
import './task_modules/index.js';
import './losses/index.js';
import './dense_heads/index.js';
import './roi_heads/index.js';
import './detectors/index.js';

export { RetinaNet, FCOS, ATSS, SingleStageDetector, BaseDetector } from './detectors/index.js';
