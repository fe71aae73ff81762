import { describe, expect, it } from 'vitest';
import { clock, ProgressBar } from '../src/progress.js';

describe('the progress bar of ddbec reencrypt', () => {
  it('shows items done of the total, items/s and the time left, on one rewritten line', async () => {
    let out = '';
    const bar = new ProgressBar({ write: (text: string) => (out += text), columns: 120 }, 1_000, 100, 10);
    bar.tick(150);
    await new Promise((resolve) => setTimeout(resolve, 40));
    bar.finish();
    const last = out.split('\r').at(-1) ?? '';
    expect(last).toMatch(/^\[█{6}░{18}\] {2}250\/1,000 items {2}[\d,]+ items\/s {2}ETA \d+:\d\d\s*\n$/);
    expect(out.startsWith('\r')).toBe(true);
  });

  it('counts without a bar when the total is unknown', () => {
    let out = '';
    const bar = new ProgressBar({ write: (text: string) => (out += text) }, undefined);
    bar.tick(3);
    bar.finish();
    expect(out).toMatch(/^\r3 items {2}\d+ items\/s\s*\n$/);
  });

  it('formats durations', () => {
    expect([clock(3), clock(65), clock(3723), clock(-1)]).toEqual(['0:03', '1:05', '1:02:03', '0:00']);
  });
});
