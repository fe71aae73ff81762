import { RsaPrivateKey, RsaPublicKey, SecretKey } from 'ddbec';
import type { KeyEntry } from './manifest.js';

export type LoadedKey = SecretKey | RsaPublicKey | RsaPrivateKey;

/** One `keys.json` entry (RAW symmetric, DER or PEM RSA) as a ddbec key. */
export function loadKey(name: string, entry: KeyEntry | undefined): LoadedKey {
  if (!entry?.material || !entry.algorithm || !entry.type) throw new Error(`key "${name}" is not a local key`);
  const material = entry.material;
  const bytes = (): Uint8Array => new Uint8Array(Buffer.from(material, 'base64'));
  switch (entry.type) {
    case 'symmetric':
      return SecretKey.fromBytes(bytes(), entry.algorithm);
    case 'public':
      return entry.encoding === 'PEM' ? RsaPublicKey.fromPem(material, entry.algorithm) : RsaPublicKey.fromDer(bytes(), entry.algorithm);
    case 'private':
      return entry.encoding === 'PEM' ? RsaPrivateKey.fromPem(material, entry.algorithm) : RsaPrivateKey.fromDer(bytes(), entry.algorithm);
    default:
      throw new Error(`key "${name}" has unknown type "${String(entry.type)}"`);
  }
}

