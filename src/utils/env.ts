/**
 * @module Environment facts logged at the start of a run (mmdet `collect_env`).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cpus, platform, release, totalmem } from 'node:os';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * The installed version of `pkg`. Its package.json is found by walking up from the package's entry
 * point, because a package whose `exports` map omits `./package.json` (sharp) cannot resolve it.
 */
export function versionOf(pkg: string): string {
  let dir: string;
  try {
    dir = dirname(require.resolve(pkg));
  } catch {
    return 'not installed';
  }
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const meta = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (meta.name === pkg && meta.version !== undefined) return meta.version;
    }
    const up = dirname(dir);
    if (up === dir) return 'not installed';
    dir = up;
  }
}

/** detkit's own version, from package.json. */
export function detkitVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return pkg.version;
}

/**
 * Versions and machine facts, as ordered `name → value` strings.
 */
export function collectEnv(): Record<string, string> {
  return {
    'sys.platform': `${platform()} ${release()}`,
    'Node.js': process.version,
    CPU: `${cpus().length} x ${cpus()[0]?.model ?? 'unknown'}`,
    'Memory (GB)': (totalmem() / 2 ** 30).toFixed(1),
    detkit: detkitVersion(),
    '@tensorflow/tfjs-core': versionOf('@tensorflow/tfjs-core'),
    '@tensorflow/tfjs-backend-wasm': versionOf('@tensorflow/tfjs-backend-wasm'),
    sharp: versionOf('sharp'),
  };
}
