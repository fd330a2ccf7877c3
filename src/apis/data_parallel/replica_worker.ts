/**
 * @module Entry of a data-parallel replica thread (device 1..n-1 of `MMDataParallel`): initialises
 * the main thread's tfjs backend, builds the detector from the plain-data `cfg.model`, then answers
 * step requests — load the master's state dict from the shared buffer, `train_step` on the chunk,
 * write the gradients over the state in that buffer. Errors go back as data (`WireError`), never thrown across threads.
 */
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, tf } from '../../backend/index.js';
import '../../nn/index.js';
import '../../models/index.js';
import type { BaseDetector } from '../../models/detectors/base.js';
import { DETECTORS } from '../../registry/root.js';
import { DetkitError } from '../../utils/errors.js';
import { tensorAt, toWireError, writeShared, type ReplicaInit, type SharedTensors, type StepReply, type StepRequest } from './protocol.js';

const init = workerData as ReplicaInit;
const port = parentPort!;

const ready: Promise<BaseDetector> = (async () => {
  await initBackend(init.backend);
  const req = createRequire(import.meta.url);
  for (const m of init.imports) req(m);
  const model = DETECTORS.build<BaseDetector>(init.modelCfg as { type: string }, undefined, { path: 'model' });
  model.train();
  return model;
})();
ready.catch(() => undefined); // reported with the first step request

/** Copies the master's parameters and buffers into the replica's variables. */
function loadState(model: BaseDetector, state: SharedTensors): void {
  const own = model.stateDict() as Map<string, tf.Variable>;
  const names = state.layout.names;
  for (let i = 0; i < names.length; i++) {
    const v = own.get(names[i]!);
    if (v === undefined) throw new DetkitError('DP_STATE_MISMATCH', `the replica on device ${init.device} has no parameter or buffer named ${names[i]}`);
    // A new tensor, not a write into the variable's memory: the conv kernels cache packed filters by tensor.
    tf.tidy(() => v.assign(tensorAt(state, i)));
  }
}

port.on('message', (msg: StepRequest) => {
  void (async () => {
    let reply: StepReply;
    let model: BaseDetector;
    try {
      model = await ready;
    } catch (err) {
      port.postMessage({ id: msg.id, error: toWireError(err, 'DP_REPLICA_INIT'), phase: 'init' } satisfies StepReply);
      return;
    }
    try {
      loadState(model, msg.state);
      const out = model.train_step(msg.batch);
      const grads = out.grads ?? new Map<string, tf.Tensor>();
      let shared: SharedTensors;
      try {
        shared = writeShared(grads, msg.state.buffer);
      } finally {
        for (const g of grads.values()) g.dispose();
      }
      reply = { id: msg.id, loss: out.loss, log_vars: out.log_vars, num_samples: out.num_samples, grads: shared };
    } catch (err) {
      reply = { id: msg.id, error: toWireError(err, 'DP_REPLICA_ERROR'), phase: 'step' };
    }
    port.postMessage(reply);
  })();
});
