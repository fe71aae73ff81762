import { describe, expect, it } from 'vitest';
import { clock, Progress } from '../src/progress.js';

/** A clock that moves only when told. */
const manualClock = () => {
  let now = 0;
  return { now: () => now, advance: (ms: number) => (now += ms) };
};

const sink = (columns?: number) => {
  const out = { text: '', write: (text: string) => (out.text += text), ...(columns === undefined ? {} : { columns }) };
  return out;
};

describe('the progress of ddbec reencrypt', () => {
  it('as a bar: items done of the total, the percentage, items/s and the time left, on one rewritten line', () => {
    const out = sink(120);
    const time = manualClock();
    const bar = new Progress(out, { mode: 'bar', done: 100, now: time.now });
    bar.setTotal({ items: 1_000, estimated: false });
    bar.tick(150);
    time.advance(3_000);
    bar.finish();
    expect(out.text.split('\r').at(-1)).toBe('[██████░░░░░░░░░░░░░░░░░░]  250/1,000 items (25%)  50 items/s  ETA 0:15    \n');
    expect(out.text.startsWith('\r')).toBe(true);
  });

  it('cuts the bar to the width of the terminal', () => {
    const out = sink(30);
    new Progress(out, { mode: 'bar' }).finish();
    expect(out.text.split('\r').every((frame) => frame.replace('\n', '').length <= 29)).toBe(true);
  });

  it('marks an estimated total and its time left with ≈, and never shows less than what is done', () => {
    const out = sink(120);
    const time = manualClock();
    const bar = new Progress(out, { mode: 'bar', now: time.now });
    bar.setTotal({ items: 10, estimated: true });
    bar.tick(12);
    time.advance(1_000);
    bar.finish();
    expect(out.text.split('\r').at(-1)).toBe('[████████████████████████]  12/≈12 items (100%)  12 items/s    \n');
  });

  it('counts without a bar while the total is unknown', () => {
    const out = sink();
    const time = manualClock();
    const bar = new Progress(out, { mode: 'bar', now: time.now });
    expect(out.text).toBe('\r0 items  0 items/s    ');
    bar.tick(3);
    time.advance(2_000);
    bar.finish();
    expect(out.text.split('\r').at(-1)).toBe('3 items  2 items/s    \n');
  });

  it('as lines: one per tenth of the total done, plain text without carriage returns, and a last one', () => {
    const out = sink();
    const time = manualClock();
    const lines = new Progress(out, { mode: 'lines', done: 250, now: time.now });
    lines.setTotal({ items: 1_000, estimated: true });
    for (let n = 0; n < 700; n += 1) {
      time.advance(10);
      lines.tick();
    }
    lines.finish();
    expect(out.text).not.toContain('\r');
    const shown = out.text.trimEnd().split('\n');
    expect(shown.map((text) => /^progress: ([\d,]+)\/≈1,000 items/.exec(text)?.[1])).toEqual(['300', '400', '500', '600', '700', '800', '900', '950']);
    expect(shown.at(-1)).toBe('progress: 950/≈1,000 items (95%)  100 items/s  ETA ≈0:01');
  });

  it('formats durations', () => {
    expect([clock(3), clock(65), clock(3723), clock(-1)]).toEqual(['0:03', '1:05', '1:02:03', '0:00']);
  });
});
