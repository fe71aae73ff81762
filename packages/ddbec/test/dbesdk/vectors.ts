/** The DB-ESDK decrypt vectors in `../shared/vectors/dbesdk` (absent in a user's clone). */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';
import { StaticBranchKeyStore } from '../../src/keyrings/hierarchical/static-branch-key-store.js';

export const DBESDK_VECTORS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/vectors/dbesdk');
export const HAVE_DBESDK_VECTORS = existsSync(join(DBESDK_VECTORS_DIR, 'keys.json'));

/** `describe` when the vectors are present, else one skipped test saying why. */
export function describeDbesdkVectors(name: string, body: () => void): void {
  if (HAVE_DBESDK_VECTORS) describe(name, body);
  else
    describe.skip(name, () => {
      it.skip('(skipped: ../shared/vectors/dbesdk not found beside the repository)', () => undefined);
    });
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed JSON.parse
export function readDbesdkJson<T>(file: string): T {
  return JSON.parse(readFileSync(join(DBESDK_VECTORS_DIR, file), 'utf8')) as T;
}

export const b64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));

interface StaticBranchKeyEntry {
  'key-id': string;
  branchKeyVersion: string;
  branchKey: string;
  beaconKey: string;
}

/** The writers' defaults (vectors README): table, partition key, and the static branch key. */
export const VECTOR_TABLE = 'GazelleVectorTable';
export const VECTOR_PARTITION_KEY = 'RecNum';

export function vectorBranchKey(): StaticBranchKeyEntry {
  const keys = readDbesdkJson<{ keys: Record<string, StaticBranchKeyEntry> }>('keys.json').keys;
  const entry = keys['static-branch-key-1'];
  if (entry === undefined) throw new Error('keys.json has no static-branch-key-1');
  return entry;
}

export function vectorKeyStore(): StaticBranchKeyStore {
  const key = vectorBranchKey();
  return new StaticBranchKeyStore([
    { branchKeyIdentifier: key['key-id'], branchKeyVersion: key.branchKeyVersion, branchKey: b64(key.branchKey), beaconKey: b64(key.beaconKey) },
  ]);
}
