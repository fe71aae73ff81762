import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { BrokenPipe, write } from '../src/io.js';

/** A stream whose buffer is always full: every write waits for `drain`. */
function fullStream(): EventEmitter & { write(text: string): boolean; written: string[] } {
  const stream = Object.assign(new EventEmitter(), { written: [] as string[] });
  return Object.assign(stream, {
    write(text: string): boolean {
      stream.written.push(text);
      return false;
    },
  });
}

describe('write (output with backpressure)', () => {
  it('waits for drain, then goes on', async () => {
    const stream = fullStream();
    let done = false;
    const writing = write(stream, 'page').then(() => (done = true));
    await Promise.resolve();
    expect(done).toBe(false);
    stream.emit('drain');
    await writing;
    expect(stream.written).toEqual(['page']);
    expect(stream.listenerCount('close')).toBe(0);
  });

  it('fails with BrokenPipe when the stream closes before it drains (a reader that went away)', async () => {
    const stream = fullStream();
    const writing = write(stream, 'page');
    stream.emit('close');
    await expect(writing).rejects.toBeInstanceOf(BrokenPipe);
    expect(stream.listenerCount('drain')).toBe(0);
  });
});
