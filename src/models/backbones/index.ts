/**
 * @module Registers the backbones in MODELS (one explicit list) and re-exports them.
 */
import { BACKBONES } from '../../registry/root.js';
import { ResNet } from './resnet.js';

BACKBONES.register(ResNet.type, ResNet);

export { ResNet, resolveResNetConfig, type ResNetConfig, type ResolvedResNetConfig } from './resnet.js';
export { BasicBlock, Bottleneck, ResBlock, type ResBlockClass, type ResBlockOptions } from './resnet_blocks.js';
export { ResLayer, type ResLayerOptions } from './res_layer.js';
