/**
 * Runs `work` on every element with at most `limit` at once and resolves with the results in
 * input order. In `settle` mode every element runs and each result says whether it failed;
 * otherwise the first failure rejects and elements not yet started are skipped.
 */
export async function mapBounded<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const settled = await run(items, limit, work, false);
  return settled.map((s) => (s as { ok: true; value: R }).value);
}

export type Settled<R> = { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

export function settleBounded<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<Settled<R>[]> {
  return run(items, limit, work, true);
}

async function run<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>, settle: boolean): Promise<Settled<R>[]> {
  const results = new Array<Settled<R>>(items.length);
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async (): Promise<void> => {
    while (next < items.length && failure === undefined) {
      const index = next;
      next += 1;
      try {
        results[index] = { ok: true, value: await work(items[index] as T, index) };
      } catch (error) {
        results[index] = { ok: false, error };
        if (!settle) failure ??= { error };
      }
    }
  };
  const workers: Promise<void>[] = [];
  for (let i = 0; i < Math.min(limit, items.length); i += 1) workers.push(worker());
  await Promise.all(workers);
  if (failure) throw failure.error;
  return results;
}
