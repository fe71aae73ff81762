import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'vitest';

/** `../shared/vectors/legacy` beside the repository root (absent in a user's clone). */
export const VECTORS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../../shared/vectors/legacy');
export const HAVE_VECTORS = existsSync(join(VECTORS_DIR, 'serialize_attribute.json'));

const SKIP_REASON = '(skipped: ../shared/vectors/legacy not found beside the repository)';

/**
 * `describe` when the shared vectors are present. Otherwise the body is not run at all (it
 * would read the files while collecting) and one skipped test says why.
 */
export function describeVectors(name: string, body: () => void): void {
  if (HAVE_VECTORS) describe(name, body);
  else describe.skip(name, () => {
    it.skip(SKIP_REASON, () => undefined);
  });
}

/** Parses a JSON file below `../shared/vectors/legacy`; the caller states its shape. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- a typed JSON.parse
export function readVectorJson<T>(relativePath: string): T {
  return JSON.parse(readFileSync(join(VECTORS_DIR, relativePath), 'utf8')) as T;
}

export const fromBase64 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
export const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
