import { describe, expect, it } from 'vitest';
import { ProgressBar } from './progress_bar.js';

function sink(isTTY: boolean, columns: number): { write(s: string): boolean; isTTY: boolean; columns: number; out: string[] } {
  const out: string[] = [];
  return { out, isTTY, columns, write: (s: string) => (out.push(s), true) };
}

describe('ProgressBar', () => {
  it('without a TTY prints plain lines, throttled, and always the last one', () => {
    const s = sink(false, 0);
    const bar = new ProgressBar(5, { stream: s, min_interval: 3600, label: 'val ' });
    for (let i = 0; i < 5; i++) bar.update();
    // the first update prints (nothing printed yet), then throttled until the end
    expect(s.out).toHaveLength(2);
    expect(s.out[0]).toMatch(/^val \[1\/5\] elapsed: \d+s, ETA: \d+s, [\d.]+ tasks\/s\n$/);
    expect(s.out[1]).toMatch(/^val \[5\/5\] /);
    expect(s.out.join('')).not.toMatch(/\u001b/);
  });

  it('a TTY with zero columns is treated as no TTY (no endless redraws)', () => {
    const s = sink(true, 0);
    const bar = new ProgressBar(2, { stream: s, min_interval: 0 });
    bar.update();
    bar.update();
    expect(s.out).toHaveLength(2);
    expect(s.out[1]).toMatch(/^\[2\/2\]/);
  });

  it('draws a bar on a real-width TTY and stops at the end', () => {
    const s = sink(true, 80);
    const bar = new ProgressBar(3, { stream: s });
    for (let i = 0; i < 3; i++) bar.update();
    expect(bar.completed).toBe(3);
    expect(s.out.join('')).toContain('3/3');
  });
});
