/**
 * @module Environment facts logged at the start of a run (mmdet `collect_env`).
 */
import { readFileSync } from 'node:fs';
import { cpus, platform, release, totalmem } from 'node:os';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function versionOf(pkg: string): string {
  try {
    const file = require.resolve(`${pkg}/package.json`);
    return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  } catch {
    return 'not installed';
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
