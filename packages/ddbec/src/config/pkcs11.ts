/**
 * The configuration's PKCS#11 keys: `"pkcs11": { module, tokenLabel | slot, pin }` at the top,
 * `{ "pkcs11": { "label": … } }` as a key source. The token is opened (and `ddbec/pkcs11`
 * loaded) only when a resolved table uses such a key; each key is found once, for its role.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { DdbecError, isDdbecError } from '../errors.js';
import type { DelegatedKey, RsaPublicKey } from '../crypto/index.js';
import type { Pkcs11KeyRef, Pkcs11Token } from '../pkcs11/index.js';

/** Where the user PIN comes from: never the configuration itself. */
export type Pkcs11PinSource = { readonly env: string } | { readonly file: string };

export interface Pkcs11Config {
  readonly module: string;
  readonly tokenLabel?: string;
  readonly slot?: number;
  readonly pin: Pkcs11PinSource;
  readonly maxSessions?: number;
}

/** A key source naming a key in the token. */
export interface Pkcs11KeySourceConfig {
  readonly pkcs11: { readonly label?: string; readonly id?: string };
  readonly algorithm?: string;
}

export type KeyRole = 'encryption' | 'signing' | 'verification' | 'wrapping' | 'unwrapping';

/** A key source of the configuration with the role and JSON path it was found at. */
export interface Pkcs11KeyUse {
  readonly source: Pkcs11KeySourceConfig;
  readonly role: KeyRole;
  readonly at: string;
}

/** What a token key stands for in its role: a delegated key, or (RSA public halves) a software key. */
export type ResolvedPkcs11Key = DelegatedKey | RsaPublicKey;

/** The software public half of a delegated RSA private key (`Pkcs11RsaPrivateKey.publicKey`), if it has one. */
export function publicHalfOf(key: unknown, algorithm?: string): RsaPublicKey | undefined {
  const publicKey = (key as { publicKey?: unknown } | undefined)?.publicKey;
  return typeof publicKey === 'function' && (key as DelegatedKey).keyType === 'private' ? (publicKey as (a?: string) => RsaPublicKey).call(key, algorithm) : undefined;
}

export function isPkcs11Source(source: object): source is Pkcs11KeySourceConfig {
  return Object.hasOwn(source, 'pkcs11');
}

/** Opens the token and finds every key used; errors keep their PKCS#11 codes and name the JSON path. */
export async function resolvePkcs11Keys(
  config: Pkcs11Config | undefined,
  uses: readonly Pkcs11KeyUse[],
  baseDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<Map<Pkcs11KeySourceConfig, ResolvedPkcs11Key>> {
  const resolved = new Map<Pkcs11KeySourceConfig, ResolvedPkcs11Key>();
  if (uses.length === 0) return resolved;
  const first = uses[0] as Pkcs11KeyUse;
  if (config === undefined) throw new DdbecError('ERR_INVALID_ARGUMENT', `${first.at}: a PKCS#11 key needs the top-level "pkcs11" entry (module, token, PIN source)`);
  const token = await openPkcs11Token(config, baseDir, env);
  for (const use of uses) resolved.set(use.source, await at(use.at, () => keyFor(token, use)));
  return resolved;
}

/**
 * Opens the token of a configuration's `pkcs11` entry, reading the PIN from its source (an
 * environment variable, or a file relative to `baseDir`). Loads `ddbec/pkcs11` (and pkcs11js).
 */
export async function openPkcs11Token(config: Pkcs11Config, baseDir: string, env: Readonly<Record<string, string | undefined>> = process.env): Promise<Pkcs11Token> {
  const { Pkcs11Token } = await import('../pkcs11/index.js');
  return at('pkcs11', async () =>
    Pkcs11Token.open({
      module: config.module,
      pin: await readPin(config.pin, baseDir, env),
      ...(config.tokenLabel === undefined ? {} : { tokenLabel: config.tokenLabel }),
      ...(config.slot === undefined ? {} : { slot: config.slot }),
      ...(config.maxSessions === undefined ? {} : { maxSessions: config.maxSessions }),
    }),
  );
}

async function keyFor(token: Pkcs11Token, { source, role }: Pkcs11KeyUse): Promise<ResolvedPkcs11Key> {
  const { label, id } = source.pkcs11;
  if ((label === undefined) === (id === undefined)) throw new DdbecError('ERR_INVALID_ARGUMENT', 'name the key by "label" or by "id" (one of them)');
  const ref: Pkcs11KeyRef = label !== undefined ? { label } : { id: id as string };
  const algorithm = source.algorithm ?? (role === 'signing' || role === 'verification' ? 'HmacSHA256' : 'AES');
  const rsa = algorithm === 'RSA' || algorithm.endsWith('withRSA');
  if (!rsa && algorithm.startsWith('Hmac')) {
    if (role !== 'signing' && role !== 'verification') throw new DdbecError('ERR_INVALID_KEY', `an ${algorithm} key cannot serve as the ${role} key`);
    return token.hmacKey(ref, { algorithm, require: [role === 'signing' ? 'sign' : 'verify'] });
  }
  if (!rsa) {
    if (algorithm !== 'AES' || role === 'signing' || role === 'verification') throw new DdbecError('ERR_INVALID_KEY', `a ${algorithm} key cannot serve as the ${role} key`);
    return token.aesKey(ref, { require: role === 'encryption' ? ['encrypt', 'decrypt'] : role === 'wrapping' ? ['wrap', 'unwrap'] : ['unwrap'] });
  }
  if (role === 'encryption') throw new DdbecError('ERR_INVALID_KEY', 'an RSA key cannot serve as the encryption key');
  // The public half needs no protection: it is read from the token and used in software. As a
  // wrapping key, the private half stands for the pair (it also unwraps), as in a key file.
  if (role === 'verification') return token.rsaPublicKey(ref, algorithm);
  return token.rsaPrivateKey(ref, { algorithm, require: [role === 'signing' ? 'sign' : 'decrypt'] });
}

async function readPin(source: Pkcs11PinSource, baseDir: string, env: Readonly<Record<string, string | undefined>>): Promise<string> {
  if ('env' in source) {
    const pin = env[source.env];
    if (pin === undefined || pin === '') throw new DdbecError('ERR_INVALID_ARGUMENT', `pin: environment variable ${source.env} is not set`);
    return pin;
  }
  const file = isAbsolute(source.file) ? source.file : resolve(baseDir, source.file);
  try {
    return (await readFile(file, 'utf8')).replace(/\r?\n$/, '');
  } catch (error) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `pin: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

/** Runs `step`, prefixing a ddbec error's message with the JSON path (the code is kept). */
async function at<T>(path: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (isDdbecError(error)) throw new DdbecError(error.code, `${path}: ${error.message}`, { cause: error.cause });
    throw error;
  }
}
