import { DdbecError } from '../errors.js';
import { fromBase64, toBase64 } from '../format/index.js';
import { RsaPrivateKey, RsaPublicKey, SecretKey } from '../crypto/index.js';

/** A key as read from a key file or an environment variable. */
export type ConfigKey = SecretKey | RsaPrivateKey | RsaPublicKey;

const SECRET_ALGORITHMS = ['AES', 'HmacSHA224', 'HmacSHA256', 'HmacSHA384', 'HmacSHA512'] as const;
const LABEL = /-----BEGIN ([A-Z0-9 -]+)-----/;

/**
 * The text of a secret key file (what `ddbec keys generate --type aes|hmac` writes):
 * a PEM-style block whose label names the algorithm, e.g. `-----BEGIN DDBEC AES KEY-----`.
 * Handle it like any private key: it holds the raw key bytes.
 */
export function formatSecretKeyFile(key: SecretKey): string {
  const label = `DDBEC ${key.algorithm.toUpperCase()} KEY`;
  const body = toBase64(key.exportBytes()).replace(/(.{64})/g, '$1\n').trimEnd();
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

/**
 * Reads a key from its text: a ddbec secret key file, a PEM RSA private key (PKCS#8 or PKCS#1)
 * or public key (SubjectPublicKeyInfo or PKCS#1), or raw secret key bytes in base64 (then
 * `algorithm`, else `defaultAlgorithm`, names the algorithm).
 */
export function parseKeyText(text: string, algorithm: string | undefined, defaultAlgorithm: string): ConfigKey {
  const label = LABEL.exec(text)?.[1];
  if (label === undefined) {
    const compact = text.replace(/\s+/g, '');
    if (compact.length === 0) throw new DdbecError('ERR_INVALID_KEY', 'is empty');
    return SecretKey.fromBytes(decode(compact, 'is neither a key file, a PEM key nor base64 key bytes'), algorithm ?? defaultAlgorithm);
  }
  if (label.endsWith('PRIVATE KEY')) return RsaPrivateKey.fromPem(text, algorithm ?? 'RSA');
  if (label.endsWith('PUBLIC KEY')) return RsaPublicKey.fromPem(text, algorithm ?? 'RSA');
  const named = /^DDBEC (\S+) KEY$/.exec(label)?.[1];
  const keyAlgorithm = SECRET_ALGORITHMS.find((name) => name.toUpperCase() === named);
  if (keyAlgorithm === undefined) throw new DdbecError('ERR_INVALID_KEY', `has an unsupported key block "${label}"`);
  if (algorithm !== undefined && algorithm !== keyAlgorithm) {
    throw new DdbecError('ERR_INVALID_KEY', `holds an ${keyAlgorithm} key, not ${algorithm}`);
  }
  const body = new RegExp(`-----BEGIN ${label}-----([\\s\\S]*?)-----END ${label}-----`).exec(text)?.[1]?.replace(/\s+/g, '') ?? '';
  return SecretKey.fromBytes(decode(body, `has a malformed "${label}" block`), keyAlgorithm);
}

function decode(base64: string, problem: string): Uint8Array {
  try {
    return fromBase64(base64);
  } catch {
    throw new DdbecError('ERR_INVALID_KEY', problem);
  }
}

/** `an AES key`, `an HmacSHA256 key`, `an RSA private key`. */
export function describeKey(key: ConfigKey): string {
  if (key instanceof SecretKey) return `an ${key.algorithm} key`;
  return key instanceof RsaPrivateKey ? 'an RSA private key' : 'an RSA public key';
}
