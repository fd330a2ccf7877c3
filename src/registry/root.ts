/**
 * @module Every registry of detkit, one line each (mmengine `registry/root.py`; mmdet 2.x names).
 *
 * Runtime follows mmdet ≥ 2.12: BACKBONES, NECKS, HEADS, ROI_EXTRACTORS, SHARED_HEADS, LOSSES and
 * DETECTORS are aliases of one MODELS registry. At compile time each kind has its own type map,
 * which the folders fill by declaration merging:
 *
 * ```ts
 * declare module '../registry/root.js' { interface BackboneTypes { ResNet: ResNetConfig } }
 * ```
 */
import { Registry } from './registry.js';

/** Config types of registered backbones, by `type`. */
export interface BackboneTypes {}
/** Config types of registered necks, by `type`. */
export interface NeckTypes {}
/** Config types of registered heads (dense, RoI, bbox, mask), by `type`. */
export interface HeadTypes {}
/** Config types of registered losses, by `type`. */
export interface LossTypes {}
/** Config types of registered detectors, by `type`. */
export interface DetectorTypes {}
/** Config types of registered RoI extractors, by `type`. */
export interface RoIExtractorTypes {}
/** Config types of registered datasets, by `type`. */
export interface DatasetTypes {}
/** Config types of registered pipeline transforms, by `type`. */
export interface PipelineTypes {}
/** Config types of registered hooks, by `type`. */
export interface HookTypes {}
/** Config types of registered optimizers, by `type`. */
export interface OptimizerTypes {}
/** Config types of registered runners, by `type`. */
export interface RunnerTypes {}
/** Config types of bbox assigners, by `type`. */
export interface BBoxAssignerTypes {}
/** Config types of bbox samplers, by `type`. */
export interface BBoxSamplerTypes {}
/** Config types of bbox coders, by `type`. */
export interface BBoxCoderTypes {}
/** Config types of prior (anchor/point) generators, by `type`. */
export interface PriorGeneratorTypes {}
/** Config types of IoU calculators, by `type`. */
export interface IoUCalculatorTypes {}

/**
 * The config union of one component kind: `{type: K} & Map[K]` for every registered `K`.
 * With an empty map it is a loose `{type: string}` record.
 */
export type ConfigOf<M> = [keyof M] extends [never]
  ? { type: string; [key: string]: unknown }
  : { [K in keyof M]: { type: K } & M[K] }[keyof M];

// ---- models (mmdet ≥ 2.12: one registry, aliased per kind) ----
/** All model components (mmdet `MODELS`). */
export const MODELS = new Registry('models', { scope: 'mmdet' });
/** Alias of MODELS for backbones (ResNet, ...). */
export const BACKBONES = MODELS;
/** Alias of MODELS for necks (FPN, ...). */
export const NECKS = MODELS;
/** Alias of MODELS for heads (RetinaHead, StandardRoIHead, Shared2FCBBoxHead, ...). */
export const HEADS = MODELS;
/** Alias of MODELS for RoI feature extractors (SingleRoIExtractor). */
export const ROI_EXTRACTORS = MODELS;
/** Alias of MODELS for shared heads (ResLayer). */
export const SHARED_HEADS = MODELS;
/** Alias of MODELS for losses (FocalLoss, ...). */
export const LOSSES = MODELS;
/** Alias of MODELS for detectors (RetinaNet, FasterRCNN, ...). */
export const DETECTORS = MODELS;

// ---- nn building blocks (mmcv.cnn bricks) ----
/** Conv layers by `conv_cfg.type` (Conv, Conv2d). */
export const CONV_LAYERS = new Registry('conv layer', { scope: 'mmcv' });
/** Norm layers by `norm_cfg.type` (BN, GN, ...). */
export const NORM_LAYERS = new Registry('norm layer', { scope: 'mmcv' });
/** Activation layers by `act_cfg.type` (ReLU, ...). */
export const ACTIVATION_LAYERS = new Registry('activation layer', { scope: 'mmcv' });
/** Weight initialisers by `init_cfg.type` (Kaiming, Xavier, Normal, Constant, ...). */
export const INITIALIZERS = new Registry('initializer', { scope: 'mmcv' });

// ---- bbox machinery (separate registries in mmdet 2.x) ----
/** Anchor / point generators (AnchorGenerator, MlvlPointGenerator). */
export const PRIOR_GENERATORS = new Registry('Generator for anchors and points', { scope: 'mmdet' });
/** Alias kept by mmdet 2.x. */
export const ANCHOR_GENERATORS = PRIOR_GENERATORS;
/** Box assigners (MaxIoUAssigner, ATSSAssigner). */
export const BBOX_ASSIGNERS = new Registry('bbox_assigner', { scope: 'mmdet' });
/** Box samplers (PseudoSampler, RandomSampler). */
export const BBOX_SAMPLERS = new Registry('bbox_sampler', { scope: 'mmdet' });
/** Box coders (DeltaXYWHBBoxCoder, DistancePointBBoxCoder). */
export const BBOX_CODERS = new Registry('bbox_coder', { scope: 'mmdet' });
/** IoU calculators (BboxOverlaps2D). */
export const IOU_CALCULATORS = new Registry('IoU calculator', { scope: 'mmdet' });

// ---- data ----
/** Datasets and dataset wrappers (CocoDataset, RepeatDataset, ...). */
export const DATASETS = new Registry('dataset', { scope: 'mmdet' });
/** Pipeline transforms (LoadImageFromFile, Resize, ...). */
export const PIPELINES = new Registry('pipeline', { scope: 'mmdet' });
/** Samplers for data loaders (GroupSampler, ...). */
export const SAMPLERS = new Registry('sampler', { scope: 'mmdet' });

// ---- evaluation ----
/**
 * Metric functions by dataset-evaluation name (`coco`, `voc`, `recall`). Datasets (data/) look their
 * evaluator up here, so data never imports evaluation (both are L4).
 */
export const METRICS = new Registry('metric', { scope: 'mmdet' });

// ---- engine (mmcv runner) ----
/** Runners (EpochBasedRunner, IterBasedRunner). */
export const RUNNERS = new Registry('runner', { scope: 'mmcv' });
/** Hooks, including LR/momentum updaters (`StepLrUpdaterHook`) and loggers (`TextLoggerHook`). */
export const HOOKS = new Registry('hook', { scope: 'mmcv' });
/** Optimizers (SGD, Adam, AdamW, RMSprop). */
export const OPTIMIZERS = new Registry('optimizer', { scope: 'mmcv' });
/** Optimizer constructors (DefaultOptimizerConstructor). */
export const OPTIMIZER_BUILDERS = new Registry('optimizer builder', { scope: 'mmcv' });
