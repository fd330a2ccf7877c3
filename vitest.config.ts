import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Tests share 2 cores with tfjs kernels; forks isolate wasm instances per file.
    pool: 'forks',
    // One XNNPACK thread per test process unless the caller sets one: the forks already share the cores.
    env: { DETKIT_WASM_THREADS: process.env.DETKIT_WASM_THREADS ?? '1' },
    testTimeout: 120_000,
    hookTimeout: 120_000,
  },
});
