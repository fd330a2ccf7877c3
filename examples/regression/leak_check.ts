/**
 * @module `npx tsx examples/regression/leak_check.ts [--iters 10000] [--backend wasm|cpu]`:
 * trains the regression MLP for many iterations with the full hook set (step LR, optimizer with
 * grad clip, checkpoints, text + TensorBoard logs, eval) and prints `tf.memory()` every 1000
 * iterations: `numTensors` and `numBytes` must stay flat (design.md §1 "tensors never leak").
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { initBackend, tf, type BackendName } from '../../src/backend/index.js';
import { ClosureHook, RunLogger } from '../../src/engine/index.js';
import { setupRun } from './setup.js';

const arg = (name: string, dflt: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
};
const iters = Number(arg('iters', '10000'));
const backend = arg('backend', 'wasm') as BackendName;

await initBackend(backend);
const workDir = mkdtempSync(join(tmpdir(), 'detkit-leak-'));
const run = await setupRun({
  config: fileURLToPath(new URL('./config.js', import.meta.url)),
  work_dir: workDir,
  cfg_options: [
    'runner.type=IterBasedRunner',
    `runner.max_iters=${iters}`,
    'runner.max_epochs=None',
    `lr_config.step=[${Math.floor(iters * 0.6)},${Math.floor(iters * 0.9)}]`,
    'checkpoint_config.interval=2500',
    'log_config.interval=1000',
    'evaluation.interval=2500',
  ],
});
// Quiet console: the run log goes to the file only.
Object.assign(run.runner, { logger: new RunLogger({ log_file: join(workDir, `${run.runner.timestamp}.log`), console: false }) });
const rows: string[] = [];
const t0 = performance.now();
run.runner.registerHook(
  new ClosureHook({
    fn_name: 'after_train_iter',
    fn: (r) => {
      if ((r.iter + 1) % 1000 !== 0) return;
      const m = tf.memory();
      rows.push(`${String(r.iter + 1).padStart(6)}  ${String(m.numTensors).padStart(10)}  ${String(m.numBytes).padStart(9)}  ${((performance.now() - t0) / 1000).toFixed(1).padStart(7)}`);
    },
  }),
  'LOWEST',
);
const before = tf.memory().numTensors;
await run.runner.run(run.loaders, run.workflow);
process.stdout.write(`backend ${backend}, ${iters} iterations, work_dir ${workDir}\n  iter  numTensors   numBytes  elapsed_s\n${rows.join('\n')}\n`);
process.stdout.write(`tensors before run: ${before}, after run: ${tf.memory().numTensors}\n`);
run.optimizer.dispose();
run.model.dispose();
process.stdout.write(`after disposing model and optimizer: ${tf.memory().numTensors}\n`);
