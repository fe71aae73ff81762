import {
  RsaPrivateKey,
  RsaPublicKey,
  SecretKey,
  StaticMaterialsProvider,
  WrappedMaterialsProvider,
  type CryptographicMaterialsProvider,
} from 'ddbec';
import type { KeyEntry, Scenario } from './manifest.js';

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

/**
 * The scenario's provider (legacy-format §11.9), or the reason it cannot be built here.
 * `encrypt`/`sign` keys default to the `decrypt`/`verify` keys.
 */
export function buildProvider(scenario: Scenario, keys: Record<string, KeyEntry>): CryptographicMaterialsProvider | { skip: string } {
  if (scenario.provider === 'most_recent') return { skip: 'needs most-recent provider' };
  if (scenario.provider === 'awskms') return { skip: 'needs the Direct KMS provider' };
  const names = scenario.keys;
  if (!names) throw new Error('scenario names no keys');
  const key = (name: string): LoadedKey => loadKey(name, keys[name]);
  const decrypt = key(names.decrypt);
  const verify = key(names.verify);
  const encrypt = names.encrypt === undefined ? decrypt : key(names.encrypt);
  const sign = names.sign === undefined ? verify : key(names.sign);

  if (scenario.provider === 'static') {
    if (!(decrypt instanceof SecretKey) || !(encrypt instanceof SecretKey)) throw new Error('static scenario needs symmetric keys');
    if (verify instanceof RsaPrivateKey || sign instanceof RsaPublicKey) throw new Error('static scenario has mismatched signing keys');
    return new StaticMaterialsProvider({ encryptionKey: encrypt, decryptionKey: decrypt, signingKey: sign, verificationKey: verify });
  }
  if (scenario.provider === 'wrapped') {
    if (decrypt instanceof RsaPublicKey || encrypt instanceof RsaPrivateKey) throw new Error('wrapped scenario has mismatched wrapping keys');
    if (verify instanceof RsaPrivateKey || sign instanceof RsaPublicKey) throw new Error('wrapped scenario has mismatched signing keys');
    return new WrappedMaterialsProvider({
      wrappingKey: encrypt instanceof RsaPrivateKey ? encrypt.publicKey() : encrypt,
      unwrappingKey: decrypt,
      signingKey: sign,
      verificationKey: verify,
    });
  }
  return { skip: `unknown provider "${scenario.provider}"` };
}
