/**
 * @module Port of tfjs-core 4.22 `Engine.gradients` (`engine.ts`) and `backpropagateGradients` /
 * `getFilteredNodesXToY` (`tape.ts`) that frees memory while the backward pass runs.
 *
 * tfjs keeps every tensor the tape saved for backward (activations, masks) and every gradient it
 * computed (the `dy` of each intermediate tensor, and whatever a gradient function made outside
 * its per-input closures) alive until the whole backward pass ends. So the backward's peak holds
 * all forward activations *plus* the gradients of all of them. PyTorch frees both as it goes.
 * This version walks the same filtered tape in the same order with the same gradient functions,
 * and after each node it releases:
 * - the gradients of the node's outputs (complete once their producer is reached, since the tape
 *   is walked in reverse creation order), unless an output is one of `xs`;
 * - the node's saved tensors (only outside higher-order gradients, as tfjs does at the end);
 * - whatever the node's gradient function allocated besides its results (one `tidy` per node).
 * Values are identical to tfjs' (same functions, same accumulation order); only lifetimes change.
 *
 * Porting note: installed on the engine instance by `initBackend` (`DETKIT_EARLY_RELEASE=0` keeps
 * tfjs' own method). It reads the engine's `state` and calls its `scopedRun`/`startTape`/
 * `endTape`, which are public members of tfjs-core's `Engine` class in 4.x.
 */
import { add, engine, ones, Tensor, util } from '@tensorflow/tfjs-core';

/** A tape node as tfjs-core's engine records it (`tape.ts` `TapeNode`). */
interface TapeNode {
  id: number;
  kernelName: string;
  inputs: Record<string, Tensor>;
  outputs: Tensor[];
  saved?: Tensor[];
  gradient?: (dys: Array<Tensor | null>) => Record<string, () => Tensor>;
}

/** The members of tfjs-core's `Engine` this module uses. */
interface EngineInternals {
  state: { activeTape: TapeNode[] | null; gradientDepth: number };
  scopedRun<R>(start: () => void, end: () => void, f: () => R): R;
  startTape(): void;
  endTape(): void;
  tidy<T>(nameOrFn: string | (() => T), fn?: () => T): T;
  gradients: GradientsFn;
}

type GradientsFn = (f: () => Tensor, xs: Tensor[], dy?: Tensor, allowNoGradients?: boolean) => { value: Tensor; grads: Tensor[] };

/** Nodes of `tape` on a path from some `xs` to `y`, inputs pruned to those depending on `xs` (as tfjs). */
function filterTape(tape: TapeNode[], xs: Tensor[], y: Tensor): TapeNode[] {
  const fromX = new Set<number>(xs.map((x) => x.id));
  const nodesFromX = new Set<number>();
  for (const node of tape) {
    for (const name in node.inputs) {
      if (fromX.has(node.inputs[name].id)) {
        for (const o of node.outputs) fromX.add(o.id);
        nodesFromX.add(node.id);
        break;
      }
    }
  }
  const toY = new Set<number>([y.id]);
  const nodesToY = new Set<number>();
  for (let i = tape.length - 1; i >= 0; i--) {
    const node = tape[i];
    if (node.outputs.some((o) => toY.has(o.id))) {
      for (const name in node.inputs) toY.add(node.inputs[name].id);
      nodesToY.add(node.id);
    }
  }
  const out: TapeNode[] = [];
  for (const node of tape) {
    if (!nodesFromX.has(node.id) || !nodesToY.has(node.id)) continue;
    const inputs: Record<string, Tensor> = {};
    for (const name in node.inputs) if (fromX.has(node.inputs[name].id)) inputs[name] = node.inputs[name];
    out.push({ ...node, inputs, outputs: node.outputs });
  }
  return out;
}

/**
 * Gradients of the tensor `f()` with respect to `xs`, releasing memory during backward (see the
 * module note). Same contract as tfjs' `ENGINE.gradients`.
 */
function gradientsEarlyRelease(this: EngineInternals, f: () => Tensor, xs: Tensor[], dy?: Tensor, allowNoGradients = false): { value: Tensor; grads: Tensor[] } {
  util.assert(xs.length > 0, () => 'gradients() received an empty list of xs.');
  if (dy != null && dy.dtype !== 'float32') throw new Error(`dy must have 'float32' dtype, but has '${dy.dtype}'`);
  const y = this.scopedRun(() => this.startTape(), () => this.endTape(), () => this.tidy('forward', f));
  util.assert(y instanceof Tensor, () => 'The result y returned by f() must be a tensor.');
  const tape = this.state.activeTape!;
  const filtered = filterTape(tape, xs, y);
  if (!allowNoGradients && filtered.length === 0 && xs.length > 0) {
    throw new Error('Cannot compute gradient of y=f(x) with respect to x. Make sure that the f you passed encloses all operations that lead from x to y.');
  }
  // Saved tensors may only go early when no outer gradient needs the tape again (tfjs' own rule).
  const release = this.state.gradientDepth === 0;
  const xIds = new Set(xs.map((x) => x.id));
  return this.tidy('backward', () => {
    const grads = new Map<number, Tensor>();
    // How many map entries hold each gradient tensor (a gradient function may return dy itself).
    const holders = new Map<Tensor, number>();
    const set = (id: number, g: Tensor): void => {
      grads.set(id, g);
      holders.set(g, (holders.get(g) ?? 0) + 1);
    };
    const drop = (g: Tensor): void => {
      const n = (holders.get(g) ?? 0) - 1;
      if (n > 0) {
        holders.set(g, n);
        return;
      }
      holders.delete(g);
      if (g !== dy && !g.kept) g.dispose();
    };
    set(y.id, dy ?? ones(y.shape));
    for (let i = filtered.length - 1; i >= 0; i--) {
      const node = filtered[i];
      const dys = node.outputs.map((o) => grads.get(o.id) ?? null);
      if (node.gradient == null) throw new Error(`Cannot compute gradient: gradient function not found for ${node.kernelName}.`);
      const names = Object.keys(node.inputs);
      const dxs = this.tidy(() => {
        const fns = node.gradient!(dys);
        return names.map((name) => {
          if (!(name in fns)) throw new Error(`Cannot backprop through input ${name}. Available gradients found: ${Object.keys(fns)}.`);
          return fns[name]();
        });
      });
      names.forEach((name, k) => {
        const dx = dxs[k];
        const x = node.inputs[name];
        if (dx.dtype !== 'float32') {
          throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input ${name} must have 'float32' dtype, but has '${dx.dtype}'`);
        }
        if (!util.arraysEqual(dx.shape, x.shape)) {
          throw new Error(`Error in gradient for op ${node.kernelName}. The gradient of input '${name}' has shape '${dx.shape}', which does not match the shape of the input '${x.shape}'`);
        }
        const prev = grads.get(x.id);
        if (prev === undefined) {
          set(x.id, dx);
        } else {
          const sum = add(prev, dx);
          drop(prev);
          set(x.id, sum);
          if (!holders.has(dx) && dx !== dy && !dx.kept) dx.dispose();
        }
      });
      // The outputs' gradients are complete (their producer is this node) and used up.
      for (const o of node.outputs) {
        const g = grads.get(o.id);
        if (g === undefined || xIds.has(o.id)) continue;
        grads.delete(o.id);
        drop(g);
      }
      if (release) for (const t of node.saved ?? []) if (!holders.has(t)) t.dispose();
    }
    const result = xs.map((x) => grads.get(x.id) as Tensor);
    if (this.state.gradientDepth === 0) {
      for (const node of tape) for (const t of node.saved ?? []) t.dispose();
      this.state.activeTape = null;
    }
    return { value: y, grads: result };
  });
}

let original: GradientsFn | undefined;

/**
 * Makes the engine's `gradients` (behind `tf.grads`, `tf.variableGrads`, optimizers'
 * `minimize`) release memory during backward. Idempotent.
 */
export function installEarlyReleaseGradients(): void {
  const e = engine() as unknown as EngineInternals;
  if (original !== undefined) return;
  original = e.gradients;
  e.gradients = gradientsEarlyRelease;
}

/** Restores tfjs' own `gradients` (for comparisons in tests and benchmarks). Idempotent. */
export function uninstallEarlyReleaseGradients(): void {
  if (original === undefined) return;
  (engine() as unknown as EngineInternals).gradients = original;
  original = undefined;
}

/** Whether {@link installEarlyReleaseGradients} is in effect. */
export function earlyReleaseInstalled(): boolean {
  return original !== undefined;
}
