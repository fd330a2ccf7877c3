/**
 * @module Registers nn's components (one explicit list: CONV_LAYERS, NORM_LAYERS, ACTIVATION_LAYERS,
 * INITIALIZERS, with mmcv's names) and re-exports its public API.
 */
import { ACTIVATION_LAYERS, CONV_LAYERS, INITIALIZERS, NORM_LAYERS } from '../registry/root.js';
import { ACTIVATION_CLASSES } from './activation.js';
import { BatchNorm2d } from './batch_norm.js';
import { Conv2d } from './conv2d.js';
import { GroupNorm } from './group_norm.js';
import { INITIALIZER_CLASSES } from './initializers.js';

CONV_LAYERS.register(['Conv2d', 'Conv'], Conv2d);
// Porting note: SyncBN is plain BatchNorm2d in a single process.
NORM_LAYERS.register(['BN', 'BN2d', 'SyncBN'], BatchNorm2d);
NORM_LAYERS.register('GN', GroupNorm);
for (const [name, cls] of Object.entries(ACTIVATION_CLASSES)) ACTIVATION_LAYERS.register(name, cls);
for (const cls of INITIALIZER_CLASSES) INITIALIZERS.register(cls.type, cls);

export { Module, type IncompatibleKeys, type ParamKind, type ParamLayout } from './module.js';
export { ModuleList, Sequential, type ForwardModule } from './container.js';
export { addBias, addSameShape, relu } from './functional.js';
export { Conv2d, pair, type Conv2dOptions, type IntOrPair } from './conv2d.js';
export { Linear, type LinearOptions } from './linear.js';
export { Scale, type ScaleOptions } from './scale.js';
export { BatchNorm2d, type BatchNorm2dOptions } from './batch_norm.js';
export { GroupNorm, type GroupNormOptions } from './group_norm.js';
export { AvgPool2d, MaxPool2d, poolOutputSize, type AvgPool2dOptions, type MaxPool2dOptions } from './pooling.js';
export {
  Activation,
  buildActivationLayer,
  ELU,
  GELU,
  HSigmoid,
  HSwish,
  LeakyReLU,
  ReLU,
  ReLU6,
  Sigmoid,
  Swish,
  Tanh,
  type ActCfg,
  type ActivationOptions,
} from './activation.js';
export { buildConvLayer, type ConvCfg } from './conv.js';
export { buildNormLayer, inferAbbr, type NormCfg } from './norm.js';
export { ConvModule, type ConvModuleOptions, type ConvModuleStep } from './conv_module.js';
export {
  biasInitWithProb,
  caffe2XavierInit,
  calculateGain,
  computeFans,
  constantInit,
  kaimingInit,
  normalInit,
  torchDefaultInit,
  truncNormalInit,
  uniformInit,
  xavierInit,
  type FanMode,
  type InitDistribution,
  type KaimingInitOptions,
  type Nonlinearity,
  type XavierInitOptions,
} from './weight_init.js';
export {
  BaseInit,
  Caffe2XavierInit,
  ConstantInit,
  initialize,
  KaimingInit,
  NormalInit,
  PretrainedInit,
  TruncNormalInit,
  UniformInit,
  XavierInit,
  type InitCfg,
  type InitOverrideCfg,
} from './initializers.js';
export { fromTorchLayout, loadTorchStateDict, toTorchLayout, toTorchStateDict, torchShape } from './torch_layout.js';
