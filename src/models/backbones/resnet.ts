/**
 * @module Port of `ResNet` from `mmdet/models/backbones/resnet.py` @ v2.28.2 (NHWC).
 *
 * State-dict names are mmdet's: `conv1.weight`, `bn1.*`, `layer1.0.conv1.weight`,
 * `layer1.0.downsample.0.weight`, `layer1.0.downsample.1.running_mean`, ... (or `stem.0.weight`,
 * `stem.1.*`, ... with `deep_stem`).
 *
 * Porting notes: `dcn`, `plugins` are not supported (clear error); `with_cp` is
 * accepted and ignored; `init_cfg: {type: 'Pretrained'}` / `pretrained` throw at `initWeights`
 * until the checkpoint converter exists.
 */
import { tf } from '../../backend/index.js';
import { ReLU } from '../../nn/activation.js';
import { BatchNorm2d } from '../../nn/batch_norm.js';
import { assertKnownKeys, checkArg, keyPath } from '../../nn/config_args.js';
import { Sequential, type ForwardModule } from '../../nn/container.js';
import { buildConvLayer, type ConvCfg } from '../../nn/conv.js';
import type { Conv2d } from '../../nn/conv2d.js';
import type { InitCfg } from '../../nn/initializers.js';
import { Module } from '../../nn/module.js';
import { buildNormLayer, type NormCfg } from '../../nn/norm.js';
import { normRelu, type NormLayer } from '../../nn/norm_act.js';
import { MaxPool2d } from '../../nn/pooling.js';
import type { BuildContext } from '../../registry/registry.js';
import { DetkitError, KeyError, TypeError_ } from '../../utils/errors.js';
import { ResLayer } from './res_layer.js';
import { BasicBlock, Bottleneck, type ResBlockClass } from './resnet_blocks.js';

/** ResNet config as written in config files (mmdet's keys; all but `depth` optional). */
export interface ResNetConfig {
  /** 18, 34, 50, 101 or 152. */
  depth: number;
  /** Input image channels. Default 3. */
  in_channels?: number;
  /** Stem output channels. Default `base_channels`. */
  stem_channels?: number | null;
  /** Channels of the first stage (doubling per stage). Default 64. */
  base_channels?: number;
  /** 1..4. Default 4. */
  num_stages?: number;
  /** Stride of each stage's first block. Default `[1, 2, 2, 2]`. */
  strides?: number[];
  /** Dilation of each stage. Default `[1, 1, 1, 1]`. */
  dilations?: number[];
  /** Stages whose output is returned (0-based). Default `[0, 1, 2, 3]`. */
  out_indices?: number[];
  /** `'pytorch'` (stride on the 3x3 conv) or `'caffe'` (stride on the first 1x1). Default `'pytorch'`. */
  style?: 'pytorch' | 'caffe';
  /** Three 3x3 convs instead of the 7x7 stem. Default false. */
  deep_stem?: boolean;
  /** Shortcuts downsample by average pooling + stride-1 conv (ResNet-D). Default false. */
  avg_down?: boolean;
  /** Freeze the stem and stages `1..frozen_stages` (-1: none). Default -1. */
  frozen_stages?: number;
  conv_cfg?: ConvCfg | null;
  /** Default `{type: 'BN', requires_grad: true}`. */
  norm_cfg?: NormCfg;
  /** Keep BatchNorm layers in eval mode while training. Default true. */
  norm_eval?: boolean;
  /** Not supported (must be null). */
  dcn?: null;
  stage_with_dcn?: boolean[];
  /** Not supported (must be null). */
  plugins?: null;
  /** Ignored (gradient checkpointing). */
  with_cp?: boolean;
  /** Zero-init the last norm of each block. Default true. */
  zero_init_residual?: boolean;
  /** Deprecated: `init_cfg = {type: 'Pretrained', checkpoint: pretrained}`. */
  pretrained?: string | null;
  init_cfg?: InitCfg | InitCfg[] | null;
}

/** {@link ResNetConfig} with every default filled (mmdet's constructor defaults). */
export type ResolvedResNetConfig = Required<Omit<ResNetConfig, 'pretrained' | 'dcn' | 'plugins' | 'stem_channels' | 'init_cfg'>> & {
  stem_channels: number;
  init_cfg: InitCfg | InitCfg[] | null;
};

declare module '../../registry/root.js' {
  interface BackboneTypes {
    ResNet: ResNetConfig;
  }
}

const ARCH_SETTINGS: Record<number, [ResBlockClass, number[]]> = {
  18: [BasicBlock, [2, 2, 2, 2]],
  34: [BasicBlock, [3, 4, 6, 3]],
  50: [Bottleneck, [3, 4, 6, 3]],
  101: [Bottleneck, [3, 4, 23, 3]],
  152: [Bottleneck, [3, 8, 36, 3]],
};

const KEYS = [
  'depth', 'in_channels', 'stem_channels', 'base_channels', 'num_stages', 'strides', 'dilations', 'out_indices', 'style',
  'deep_stem', 'avg_down', 'frozen_stages', 'conv_cfg', 'norm_cfg', 'norm_eval', 'dcn', 'stage_with_dcn', 'plugins', 'with_cp',
  'zero_init_residual', 'pretrained', 'init_cfg',
];

/**
 * Validates a ResNet config and fills mmdet's defaults (including the default `init_cfg`).
 * @throws KeyError `RESNET_INVALID_DEPTH`, TypeError_ `CONFIG_UNEXPECTED_KEY`, ValueError
 *   `CONFIG_INVALID_VALUE`, DetkitError `NOT_SUPPORTED` — each naming the config key path
 */
export function resolveResNetConfig(cfg: ResNetConfig, ctx?: BuildContext): ResolvedResNetConfig {
  assertKnownKeys('ResNet', cfg, KEYS, ctx);
  const depth = cfg.depth;
  if (!(depth in ARCH_SETTINGS)) {
    throw new KeyError('RESNET_INVALID_DEPTH', `invalid depth ${String(depth)} for resnet`, {
      configPath: keyPath(ctx, 'depth'),
      file: ctx?.file,
      hint: 'depth must be one of 18, 34, 50, 101, 152',
    });
  }
  const num_stages = cfg.num_stages ?? 4;
  checkArg(Number.isInteger(num_stages) && num_stages >= 1 && num_stages <= 4, ctx, 'num_stages', `num_stages must be in 1..4, got ${num_stages}`);
  const strides = cfg.strides ?? [1, 2, 2, 2];
  const dilations = cfg.dilations ?? [1, 1, 1, 1];
  // Porting note: mmdet asserts len(strides) == len(dilations) == num_stages; its defaults have 4
  // entries, so with num_stages < 4 the default lists are cut to num_stages here.
  const st = cfg.strides === undefined ? strides.slice(0, num_stages) : strides;
  const di = cfg.dilations === undefined ? dilations.slice(0, num_stages) : dilations;
  checkArg(st.length === num_stages, ctx, 'strides', `len(strides) must equal num_stages (${num_stages}), got ${st.length}`);
  checkArg(di.length === num_stages, ctx, 'dilations', `len(dilations) must equal num_stages (${num_stages}), got ${di.length}`);
  const out_indices = cfg.out_indices ?? [0, 1, 2, 3];
  checkArg(out_indices.length > 0 && Math.max(...out_indices) < num_stages, ctx, 'out_indices', `max(out_indices) must be < num_stages (${num_stages}), got ${JSON.stringify(out_indices)}`);
  const style = cfg.style ?? 'pytorch';
  checkArg(style === 'pytorch' || style === 'caffe', ctx, 'style', `style must be 'pytorch' or 'caffe', got '${String(style)}'`);
  const unsupported = (key: string, ok: boolean): void => {
    if (!ok) throw new DetkitError('NOT_SUPPORTED', `ResNet: ${key} is not supported yet`, { configPath: keyPath(ctx, key), file: ctx?.file });
  };
  unsupported('dcn', cfg.dcn === undefined || cfg.dcn === null);
  unsupported('plugins', cfg.plugins === undefined || cfg.plugins === null);
  const frozen_stages = cfg.frozen_stages ?? -1;
  checkArg(Number.isInteger(frozen_stages) && frozen_stages >= -1 && frozen_stages <= num_stages, ctx, 'frozen_stages', `frozen_stages must be in -1..num_stages, got ${frozen_stages}`);
  const base_channels = cfg.base_channels ?? 64;
  const zero_init_residual = cfg.zero_init_residual ?? true;
  const pretrained = cfg.pretrained ?? null;
  const userInit = cfg.init_cfg ?? null;
  checkArg(!(userInit !== null && pretrained !== null), ctx, 'init_cfg', 'init_cfg and pretrained cannot be specified at the same time');
  let init_cfg: InitCfg | InitCfg[] | null = userInit;
  if (pretrained !== null) init_cfg = { type: 'Pretrained', checkpoint: pretrained };
  else if (userInit === null) {
    init_cfg = [
      { type: 'Kaiming', layer: 'Conv2d' },
      { type: 'Constant', val: 1, layer: ['_BatchNorm', 'GroupNorm'] },
    ];
  }
  return {
    depth,
    in_channels: cfg.in_channels ?? 3,
    stem_channels: cfg.stem_channels ?? base_channels,
    base_channels,
    num_stages,
    strides: st,
    dilations: di,
    out_indices,
    style,
    deep_stem: cfg.deep_stem ?? false,
    avg_down: cfg.avg_down ?? false,
    frozen_stages,
    conv_cfg: cfg.conv_cfg ?? null,
    norm_cfg: cfg.norm_cfg ?? { type: 'BN', requires_grad: true },
    norm_eval: cfg.norm_eval ?? true,
    stage_with_dcn: cfg.stage_with_dcn ?? [false, false, false, false],
    with_cp: cfg.with_cp ?? false,
    // mmdet zero-inits residuals only through its default init_cfg.
    zero_init_residual: zero_init_residual && userInit === null && pretrained === null,
    init_cfg,
  };
}


/**
 * ResNet backbone: `forward(images [N, H, W, 3])` → one feature map per `out_indices` stage,
 * `[N, H/4·2^-i, W/4·2^-i, C_i]` with `C_i = base_channels·2^i·expansion` (64..512 for 18/34,
 * 256..2048 for 50+).
 *
 * @example
 * const net = new ResNet({ depth: 18, out_indices: [1, 2, 3] });
 * net.initWeights(new Rng(0));
 * const [c3, c4, c5] = net.forward(images);
 */
export class ResNet extends Module {
  static readonly type: string = 'ResNet';
  static override readonly torchName: string = 'ResNet';
  static override readonly torchBases: readonly string[] = ['BaseModule'];

  readonly cfg: ResolvedResNetConfig;
  readonly block: ResBlockClass;
  readonly stage_blocks: number[];
  /** `layer1`, `layer2`, ... */
  readonly res_layers: string[];
  /** Channels of the last stage's output (mmdet `feat_dim`). */
  readonly feat_dim: number;
  readonly stem: Sequential | null = null;
  readonly conv1: Conv2d | null = null;
  readonly norm1: NormLayer | null = null;
  readonly maxpool: MaxPool2d;
  private readonly layers: ResLayer[] = [];

  /** Builds from a config node (Registry `build` entry point). */
  static fromConfig(args: Record<string, unknown>, ctx: BuildContext): ResNet {
    return new ResNet(args as unknown as ResNetConfig, ctx);
  }

  /** @throws see {@link resolveResNetConfig} */
  constructor(config: ResNetConfig, ctx?: BuildContext) {
    super();
    const cfg = resolveResNetConfig(config, ctx);
    this.cfg = cfg;
    this.init_cfg = cfg.init_cfg;
    const [block, stageBlocks] = ARCH_SETTINGS[cfg.depth]!;
    this.block = block;
    this.stage_blocks = stageBlocks.slice(0, cfg.num_stages);
    this.makeStemLayer(cfg);
    this.maxpool = this.addModule('maxpool', new MaxPool2d({ kernel_size: 3, stride: 2, padding: 1 }));
    const blockInitCfg: InitCfg | null = cfg.zero_init_residual
      ? { type: 'Constant', val: 0, override: { name: block === BasicBlock ? 'norm2' : 'norm3' } }
      : null;
    let inplanes = cfg.stem_channels;
    this.res_layers = [];
    this.stage_blocks.forEach((numBlocks, i) => {
      const planes = cfg.base_channels * 2 ** i;
      const layer = new ResLayer({
        block,
        inplanes,
        planes,
        num_blocks: numBlocks,
        stride: cfg.strides[i]!,
        dilation: cfg.dilations[i]!,
        style: cfg.style,
        avg_down: cfg.avg_down,
        conv_cfg: cfg.conv_cfg,
        norm_cfg: cfg.norm_cfg,
        block_init_cfg: blockInitCfg,
      });
      inplanes = planes * block.expansion;
      const name = `layer${i + 1}`;
      this.addModule(name, layer);
      this.layers.push(layer);
      this.res_layers.push(name);
    });
    this.feat_dim = block.expansion * cfg.base_channels * 2 ** (this.stage_blocks.length - 1);
    this.freezeStages();
  }

  private makeStemLayer(cfg: ResolvedResNetConfig): void {
    const { in_channels, stem_channels, conv_cfg, norm_cfg } = cfg;
    const self = this as { stem: Sequential | null; conv1: Conv2d | null; norm1: NormLayer | null };
    if (cfg.deep_stem) {
      const half = stem_channels / 2;
      const parts: ForwardModule[] = [];
      [[in_channels, half, 2], [half, half, 1], [half, stem_channels, 1]].forEach(([cin, cout, stride]) => {
        parts.push(buildConvLayer(conv_cfg, { in_channels: cin!, out_channels: cout!, kernel_size: 3, stride: stride!, padding: 1, bias: false }));
        parts.push(buildNormLayer(norm_cfg, cout!)[1] as ForwardModule);
        parts.push(new ReLU());
      });
      self.stem = this.addModule('stem', new Sequential(parts));
    } else {
      self.conv1 = this.addModule('conv1', buildConvLayer(conv_cfg, { in_channels, out_channels: stem_channels, kernel_size: 7, stride: 2, padding: 3, bias: false }));
      const [name, norm] = buildNormLayer(norm_cfg, stem_channels, 1);
      self.norm1 = this.addModule(name, norm as NormLayer);
      this.addAlias('norm1', name);
      this.addModule('relu', new ReLU());
    }
  }

  /** mmdet `_freeze_stages`: stem and stages `1..frozen_stages` get `requires_grad=false` and eval mode. */
  private freezeStages(): void {
    const k = this.cfg.frozen_stages;
    if (k < 0) return;
    const stem: Module[] = this.stem !== null ? [this.stem] : [this.conv1!, this.norm1!];
    for (const m of stem) m.requiresGrad(false);
    (this.stem ?? this.norm1!).eval();
    for (let i = 1; i <= k; i++) {
      const layer = this.layers[i - 1]!;
      layer.eval();
      layer.requiresGrad(false);
    }
  }

  /**
   * mmdet `ResNet.train`: sets `mode`, keeps frozen stages in eval mode, and with `norm_eval`
   * keeps every BatchNorm in eval mode (running statistics used and not updated) while training.
   */
  override train(mode = true): this {
    super.train(mode);
    this.freezeStages();
    if (mode && this.cfg.norm_eval) {
      for (const m of this.namedModules().values()) if (m instanceof BatchNorm2d) m.eval();
    }
    return this;
  }

  /**
   * @param x images `[N, H, W, in_channels]`
   * @returns the outputs of the stages in `out_indices` (owned by the caller)
   */
  forward(x: tf.Tensor4D): tf.Tensor4D[] {
    return tf.tidy(() => {
      let y = this.stem !== null ? this.stem.forward(x) : normRelu(this.norm1!, this.conv1!.forward(x));
      y = this.maxpool.forward(y);
      const outs: tf.Tensor4D[] = [];
      this.layers.forEach((layer, i) => {
        y = layer.forward(y);
        if (this.cfg.out_indices.includes(i)) outs.push(y);
      });
      return outs;
    });
  }
}

/** ResNetV1d config: a {@link ResNetConfig} without `deep_stem` / `avg_down` (both forced true). */
export type ResNetV1dConfig = Omit<ResNetConfig, 'deep_stem' | 'avg_down'>;

declare module '../../registry/root.js' {
  interface BackboneTypes {
    ResNetV1d: ResNetV1dConfig;
  }
}

/**
 * mmdet `ResNetV1d` (ResNet-D, "Bag of Tricks"): deep 3×3 stem and average-pool shortcuts.
 * @throws TypeError_ `CONFIG_UNEXPECTED_KEY` when `deep_stem` or `avg_down` is given (Python: "got multiple values")
 */
export class ResNetV1d extends ResNet {
  static override readonly type: string = 'ResNetV1d';
  static override readonly torchName: string = 'ResNetV1d';
  static override readonly torchBases: readonly string[] = ['ResNet'];

  /** Builds from a config node (Registry `build` entry point). */
  static override fromConfig(args: Record<string, unknown>, ctx: BuildContext): ResNetV1d {
    return new ResNetV1d(args as unknown as ResNetV1dConfig, ctx);
  }

  constructor(config: ResNetV1dConfig, ctx?: BuildContext) {
    for (const k of ['deep_stem', 'avg_down']) {
      if (k in config) {
        throw new TypeError_('CONFIG_UNEXPECTED_KEY', `__init__() got multiple values for keyword argument '${k}'`, { configPath: keyPath(ctx, k), file: ctx?.file });
      }
    }
    super({ ...config, deep_stem: true, avg_down: true }, ctx);
  }
}
