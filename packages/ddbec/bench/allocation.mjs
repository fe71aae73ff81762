// Bytes allocated per item by ItemEncryptor, in a child process of run.mjs started with
// --expose-gc and a 64 MiB young generation: after a warm-up (2,000 typical items: a shorter
// one counts what the JIT compiler still allocates, about 1.5 KB per item over 500 items)
// and a full GC, N items are
// encrypted (or decrypted) with no garbage collection in between (checked: a GC observed
// during the measurement voids it), and the growth of the V8 heap (`heapUsed`) and of the
// memory held by ArrayBuffers (`arrayBuffers`: Buffer and Uint8Array contents outside the heap)
// is divided by N. Prints one JSON line per measurement.
import { PerformanceObserver } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { ItemEncryptor } from '../dist/esm/index.js';
import { config, staticProvider } from './encryptor.mjs';
import { ITEMS } from './items.mjs';

if (typeof globalThis.gc !== 'function') throw new Error('run with --expose-gc');
let collections = 0;
new PerformanceObserver((list) => (collections += list.getEntries().length)).observe({ entryTypes: ['gc'] });

const encryptor = new ItemEncryptor({ materialsProvider: staticProvider() });
for (const [name, make] of Object.entries(ITEMS)) {
  const item = make();
  const stored = await encryptor.encryptItem(item, config);
  // A long warm-up, so that what the JIT compiler allocates (code, feedback) is not counted.
  const [warmUp, count] = name === 'typical' ? [2000, 2000] : [200, 20];
  for (const [operation, fn] of [
    ['encrypt', () => encryptor.encryptItem(item, config)],
    ['decrypt', () => encryptor.decryptItem(stored, config)],
  ]) {
    for (let i = 0; i < warmUp; i += 1) await fn();
    globalThis.gc();
    await sleep(20); // let the observer see that collection before counting
    collections = 0;
    const before = process.memoryUsage();
    for (let i = 0; i < count; i += 1) await fn();
    const after = process.memoryUsage();
    await sleep(20);
    console.log(
      JSON.stringify({
        item: name,
        operation,
        items: count,
        heap: (after.heapUsed - before.heapUsed) / count,
        arrayBuffers: (after.arrayBuffers - before.arrayBuffers) / count,
        collections,
      }),
    );
  }
}
