import { describe, expect, it } from 'vitest';
import { clock, Progress } from '../src/progress.js';

const sink = (columns?: number) => {
  const out = { text: '', write: (text: string) => (out.text += text), ...(columns === undefined ? {} : { columns }) };
  return out;
};

describe('the progress of ddbec reencrypt', () => {
  it('as a bar: items done of the total, the percentage, items/s and the time left, on one rewritten line', async () => {
    const out = sink(120);
    const bar = new Progress(out, { mode: 'bar', done: 100, intervalMs: 10 });
    bar.setTotal({ items: 1_000, estimated: false });
    bar.tick(150);
    await new Promise((resolve) => setTimeout(resolve, 40));
    bar.finish();
    const last = out.text.split('\r').at(-1) ?? '';
    expect(last).toMatch(/^\[█{6}░{18}\] {2}250\/1,000 items \(25%\) {2}[\d,]+ items\/s {2}ETA \d+:\d\d\s*\n$/);
    expect(out.text.startsWith('\r')).toBe(true);
  });

  it('marks an estimated total and its time left with ≈, and never shows less than what is done', () => {
    const out = sink(120);
    const bar = new Progress(out, { mode: 'bar' });
    bar.setTotal({ items: 10, estimated: true });
    bar.tick(12);
    bar.finish();
    expect(out.text.split('\r').at(-1)).toMatch(/^\[█{24}\] {2}12\/≈12 items \(100%\) {2}[\d,]+ items\/s\s*\n$/);
  });

  it('counts without a bar while the total is unknown', () => {
    const out = sink();
    const bar = new Progress(out, { mode: 'bar' });
    bar.tick(3);
    bar.finish();
    expect(out.text.split('\r').at(-1)).toMatch(/^3 items {2}[\d,]+ items\/s\s*\n$/);
  });

  it('as lines: one per tenth of the total done, plain text without carriage returns, and a last one', () => {
    const out = sink();
    const lines = new Progress(out, { mode: 'lines', done: 250 });
    lines.setTotal({ items: 1_000, estimated: true });
    for (let n = 0; n < 700; n += 1) lines.tick();
    lines.finish();
    expect(out.text).not.toContain('\r');
    const shown = out.text.trimEnd().split('\n');
    expect(shown.map((text) => /^progress: ([\d,]+)\/≈1,000 items/.exec(text)?.[1])).toEqual(['300', '400', '500', '600', '700', '800', '900', '950']);
    expect(shown.at(-1)).toMatch(/^progress: 950\/≈1,000 items \(95%\) {2}[\d,]+ items\/s {2}ETA ≈\d+:\d\d$/);
  });

  it('formats durations', () => {
    expect([clock(3), clock(65), clock(3723), clock(-1)]).toEqual(['0:03', '1:05', '1:02:03', '0:00']);
  });
});
