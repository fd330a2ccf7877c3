/**
 * @module The contract of a bench workload file (`bench/workloads/*.ts`).
 *
 * Each file default-exports one {@link Workload}. `bench/run.ts` discovers the files, runs each
 * workload in its own child process (so peak RSS is per workload), calls `setup` once, `run`
 * `warmup` times untimed and `runs` times timed, and reports the median.
 */

/** The PyTorch peer script asked for a workload's figure unless it names another. */
export const DEFAULT_TORCH_PEER = '../shared/peer/torch_bench.py';

/** One benchmark workload; `name` matches the key in its PyTorch peer script ({@link Workload.torchPeer}). */
export interface Workload<Ctx = unknown> {
  /** Workload name, e.g. `conv3-train` (kebab-case, as the peer script prints it). */
  name: string;
  /**
   * The PyTorch script (path from the repository root) that has this workload under the same name,
   * run by `npm run bench -- --vs-torch`. Default {@link DEFAULT_TORCH_PEER}.
   */
  torchPeer?: string;
  /** One line saying what is measured (shapes, batch, what one run does). */
  description?: string;
  /** Untimed runs before timing (torch_bench.py uses the same counts). Default 2. */
  warmup?: number;
  /** Timed runs; the median is reported. Default 5. */
  runs?: number;
  /** Builds inputs and weights once; not timed. The backend is already initialised. */
  setup(): Promise<Ctx> | Ctx;
  /** One timed iteration. Must read back or otherwise finish its work before returning. */
  run(ctx: Ctx): Promise<void> | void;
  /** Frees what `setup` made. */
  teardown?(ctx: Ctx): Promise<void> | void;
}
