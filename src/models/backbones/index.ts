/**
 * @module Registers the backbones in MODELS (one explicit list) and re-exports them.
 */
import { BACKBONES } from '../../registry/root.js';
import { ResNet, ResNetV1d } from './resnet.js';

BACKBONES.register(ResNet.type, ResNet);
BACKBONES.register(ResNetV1d.type, ResNetV1d);

export { ResNet, ResNetV1d, resolveResNetConfig, type ResNetConfig, type ResNetV1dConfig, type ResolvedResNetConfig } from './resnet.js';
export { BasicBlock, Bottleneck, ResBlock, type ResBlockClass, type ResBlockOptions } from './resnet_blocks.js';
export { ResLayer, type ResLayerOptions } from './res_layer.js';
