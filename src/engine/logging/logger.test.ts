import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../../testing/engine_helpers.js';
import { RunLogger } from './logger.js';

describe('RunLogger', () => {
  it('writes Python logging lines (mmcv format) to the log file, honouring the level', () => {
    const file = join(tempDir(), 'sub', '20240101_000000.log');
    const logger = new RunLogger({ name: 'mmdet', log_file: file, console: false, log_level: 'INFO' });
    logger.info('Start running');
    logger.debug('hidden');
    logger.warn('careful');
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - mmdet - INFO - Start running$/);
    expect(lines[1]).toMatch(/ - mmdet - WARNING - careful$/);
    expect(lines[2]).toBe('');
  });
});
