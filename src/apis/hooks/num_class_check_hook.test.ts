import { describe, expect, it } from 'vitest';
import { Module } from '../../nn/module.js';
import type { RunnerLike } from '../../engine/types.js';
import { DetkitError } from '../../utils/errors.js';
import { NumClassCheckHook } from './num_class_check_hook.js';

class Head extends Module {
  static readonly type: string = 'RetinaHead';
  constructor(readonly numClasses: number) {
    super();
  }
}
class RPNHead extends Head {
  static override readonly type = 'RPNHead';
}
class Det extends Module {
  constructor(n: number) {
    super();
    this.addModule('rpn_head', new RPNHead(1));
    this.addModule('bbox_head', new Head(n));
  }
}

const runner = (n: number): RunnerLike => ({ model: new Det(n), model_name: 'RetinaNet' }) as unknown as RunnerLike;

describe('NumClassCheckHook', () => {
  it('names both numbers and the config key when a head disagrees with the dataset', () => {
    const hook = new NumClassCheckHook();
    hook.classesByMode.train = ['a', 'b', 'c'];
    let err: unknown;
    try {
      hook.before_train_epoch(runner(80));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DetkitError);
    expect((err as DetkitError).code).toBe('NUM_CLASSES_MISMATCH');
    expect((err as DetkitError).message).toMatch(/`num_classes` \(80\).*`CLASSES` \(3\)/);
    expect((err as DetkitError).configPath).toBe('model.bbox_head.num_classes');
  });
  it('passes when they agree, and ignores the RPN head (one class by design)', () => {
    const hook = new NumClassCheckHook();
    hook.classesByMode.train = ['a', 'b', 'c'];
    expect(() => hook.before_train_epoch(runner(3))).not.toThrow();
  });
});
