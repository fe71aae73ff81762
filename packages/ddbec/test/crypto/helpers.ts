import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { expect } from 'vitest';
import { isDdbecError, type DdbecError, type DdbecErrorCode } from '../../src/errors.js';
import { HAVE_VECTORS, fromBase64, readVectorJson } from '../support/vectors.js';

export const hex = (text: string): Uint8Array => new Uint8Array(Buffer.from(text.replace(/\s+/g, ''), 'hex'));
export const toHex = (bytes: Uint8Array): string => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
export const utf8 = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));
/** Bytes a, a+1, ..., b. */
export const range = (a: number, b: number): Uint8Array => Uint8Array.from({ length: b - a + 1 }, (_, i) => a + i);

/** Runs `fn`, expects a DdbecError with `code`, returns it. */
export function expectDdbecError(fn: () => unknown, code: DdbecErrorCode): DdbecError {
  let thrown: unknown;
  try {
    fn();
  } catch (error) {
    thrown = error;
  }
  expect(isDdbecError(thrown, code), `expected DdbecError ${code}, got ${String(thrown)}`).toBe(true);
  return thrown as DdbecError;
}

export interface KeyEntry {
  material?: string;
  algorithm?: string;
  encoding?: string;
  type?: string;
  keyId?: string;
}

export function vectorKeys(): Record<string, KeyEntry> {
  return readVectorJson<Record<string, KeyEntry>>('encrypted_item/keys.json');
}

export interface RsaTestKeys {
  /** SubjectPublicKeyInfo DER */
  publicDer: Uint8Array;
  /** PKCS#8 DER */
  privateDer: Uint8Array;
  publicKeyObject: KeyObject;
  privateKeyObject: KeyObject;
  fromVectors: boolean;
}

let cached: RsaTestKeys | undefined;
/** The RSA-2048 key of keys.json (`rsaEncPub`/`rsaEncPriv`), or a generated one without the vectors. */
export function rsaTestKeys(): RsaTestKeys {
  if (cached !== undefined) return cached;
  if (HAVE_VECTORS) {
    const keys = vectorKeys();
    const publicDer = fromBase64(keys.rsaEncPub?.material ?? '');
    const privateDer = fromBase64(keys.rsaEncPriv?.material ?? '');
    cached = {
      publicDer,
      privateDer,
      publicKeyObject: createPublic(publicDer),
      privateKeyObject: createPrivate(privateDer),
      fromVectors: true,
    };
  } else {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
    cached = {
      publicDer: new Uint8Array(pair.publicKey.export({ format: 'der', type: 'spki' })),
      privateDer: new Uint8Array(pair.privateKey.export({ format: 'der', type: 'pkcs8' })),
      publicKeyObject: pair.publicKey,
      privateKeyObject: pair.privateKey,
      fromVectors: false,
    };
  }
  return cached;
}

function createPublic(der: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(der), format: 'der', type: 'spki' });
}
function createPrivate(der: Uint8Array): KeyObject {
  return createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' });
}
