import type * as Pkcs11js from 'pkcs11js';
import { DdbecError } from '../errors.js';
import { rsaPrivateComponents, rsaPublicKeyFromComponents, RsaPrivateKey, SecretKey, type RsaPublicKey } from '../crypto/keys.js';
import { randomBytes } from '../crypto/primitives.js';
import { acquireModule, ckr, loadBinding, releaseModule, type Binding, type Handle, type Module } from './binding.js';
import { Pkcs11AesKey, Pkcs11HmacKey, Pkcs11RsaPrivateKey, USAGE_ATTRIBUTES, type KeyContext, type Pkcs11Usage } from './keys.js';
import { SessionPool } from './sessions.js';

export interface Pkcs11TokenOptions {
  /**
   * Path of the PKCS#11 library: `/usr/lib/softhsm/libsofthsm2.so` (SoftHSM2),
   * `/opt/cloudhsm/lib/libcloudhsm_pkcs11.so` (AWS CloudHSM), …
   */
  readonly module: string;
  /** The token's label. Give this or `slot`. */
  readonly tokenLabel?: string;
  /** The slot ID. Give this or `tokenLabel`. */
  readonly slot?: number;
  /**
   * The user PIN (AWS CloudHSM: `<crypto user>:<password>`). Read it from the environment or
   * a secrets file at run time; never write it into code or configuration.
   */
  readonly pin: string;
  /** Most sessions open at once, i.e. token operations in flight (default 8). */
  readonly maxSessions?: number;
}

/** A key by its label (`CKA_LABEL`) or its ID (`CKA_ID`, hex or bytes). */
export type Pkcs11KeyRef = { readonly label: string; readonly id?: undefined } | { readonly id: string | Uint8Array; readonly label?: undefined };

/** What the token says about a key object (no key material: the token would not give it). */
export interface Pkcs11KeyInfo {
  readonly label: string;
  readonly id: string;
  readonly class: 'secret' | 'private' | 'public';
  readonly extractable: boolean | undefined;
  readonly sensitive: boolean | undefined;
  readonly usage: readonly Pkcs11Usage[];
}

export interface Pkcs11GenerateOptions {
  readonly label: string;
  /** CKA_ID as hex; default 8 random bytes. */
  readonly id?: string;
  /** Default: AES encrypt, decrypt, wrap, unwrap; HMAC sign, verify; RSA all that apply to each half. */
  readonly usage?: readonly Pkcs11Usage[];
}

const DEFAULT_USAGE = {
  aes: ['encrypt', 'decrypt', 'wrap', 'unwrap'],
  hmac: ['sign', 'verify'],
  rsa: ['encrypt', 'decrypt', 'wrap', 'unwrap', 'sign', 'verify'],
} as const satisfies Record<string, readonly Pkcs11Usage[]>;
const LOGIN_ERRORS = new Set(['CKR_PIN_INCORRECT', 'CKR_PIN_INVALID', 'CKR_PIN_LEN_RANGE', 'CKR_PIN_EXPIRED', 'CKR_PIN_LOCKED', 'CKR_USER_PIN_NOT_INITIALIZED']);
const HMAC_ALGORITHMS = new Set(['HmacSHA224', 'HmacSHA256', 'HmacSHA384', 'HmacSHA512']);

function slotId(slot: Handle): number {
  return slot.length >= 8 ? Number(slot.readBigUInt64LE(0)) : slot.readUInt32LE(0);
}

function idBytes(id: string | Uint8Array): Buffer {
  if (typeof id !== 'string') return Buffer.from(id);
  if (!/^([0-9a-fA-F]{2})+$/.test(id)) throw new DdbecError('ERR_INVALID_ARGUMENT', `a PKCS#11 key id must be hex, got "${id}"`);
  return Buffer.from(id, 'hex');
}

function describeRef(ref: Pkcs11KeyRef): string {
  return ref.label !== undefined ? `PKCS#11 key "${ref.label}"` : `PKCS#11 key with id ${idBytes(ref.id).toString('hex')}`;
}

/**
 * One PKCS#11 token, logged in once, with a pool of sessions. Finds keys by label or ID and
 * returns them as delegated keys for the providers; also generates and imports keys (always
 * sensitive and not extractable).
 *
 * ```ts
 * const token = await Pkcs11Token.open({ module: '/usr/lib/softhsm/libsofthsm2.so', tokenLabel: 'ddbec', pin: process.env.DDBEC_PKCS11_PIN! });
 * const provider = new WrappedMaterialsProvider({ wrappingKey: await token.aesKey({ label: 'kek' }), signingKey: await token.hmacKey({ label: 'mac' }) });
 * ```
 */
export class Pkcs11Token {
  readonly #p: Binding;
  readonly #module: Module;
  readonly #path: string;
  readonly #pool: SessionPool;
  #closed = false;

  private constructor(p: Binding, module: Module, path: string, pool: SessionPool) {
    this.#p = p;
    this.#module = module;
    this.#path = path;
    this.#pool = pool;
  }

  /** Loads the module, finds the token, logs in. */
  static async open(options: Pkcs11TokenOptions): Promise<Pkcs11Token> {
    const { module: path, tokenLabel, slot, pin } = options ?? {};
    if (typeof path !== 'string' || path.length === 0) throw new DdbecError('ERR_INVALID_ARGUMENT', 'Pkcs11Token.open needs the path of a PKCS#11 module');
    if ((tokenLabel === undefined) === (slot === undefined)) throw new DdbecError('ERR_INVALID_ARGUMENT', 'Pkcs11Token.open needs a tokenLabel or a slot (one of them)');
    if (typeof pin !== 'string' || pin.length === 0) throw new DdbecError('ERR_INVALID_ARGUMENT', 'Pkcs11Token.open needs the user PIN');
    const maxSessions = options.maxSessions ?? 8;
    if (!Number.isSafeInteger(maxSessions) || maxSessions < 1) throw new DdbecError('ERR_INVALID_ARGUMENT', 'maxSessions must be a positive integer');
    const p = await loadBinding();
    const module = acquireModule(p, path);
    try {
      const found = findSlot(module.pkcs11, tokenLabel, slot);
      const pool = new SessionPool(module.pkcs11, found, p.CKF_SERIAL_SESSION | p.CKF_RW_SESSION, maxSessions);
      try {
        module.pkcs11.C_Login(pool.first(), p.CKU_USER, pin);
      } catch (error) {
        const name = ckr(error);
        if (name !== 'CKR_USER_ALREADY_LOGGED_IN') {
          pool.close();
          if (name !== undefined && LOGIN_ERRORS.has(name)) {
            throw new DdbecError('ERR_PKCS11_LOGIN_FAILED', `could not log in to the PKCS#11 token (${name}): check the PIN`);
          }
          throw new DdbecError('ERR_PKCS11_FAILED', `could not log in to the PKCS#11 token (${name ?? 'native error'})`, { cause: error });
        }
      }
      return new Pkcs11Token(p, module, path, pool);
    } catch (error) {
      releaseModule(path, module);
      throw error;
    }
  }

  /** An AES key: the static provider's content key, or the wrapped provider's key-encryption key. */
  async aesKey(ref: Pkcs11KeyRef, options: { readonly require?: readonly Pkcs11Usage[] } = {}): Promise<Pkcs11AesKey> {
    const { context } = await this.#find(ref, 'secret', options.require ?? []);
    return new Pkcs11AesKey(context);
  }

  /** An HMAC key (a generic secret, or an HMAC key type) for `algorithm` (default HmacSHA256). */
  async hmacKey(ref: Pkcs11KeyRef, options: { readonly algorithm?: string; readonly require?: readonly Pkcs11Usage[] } = {}): Promise<Pkcs11HmacKey> {
    const { context } = await this.#find(ref, 'secret', options.require ?? []);
    return new Pkcs11HmacKey(context, options.algorithm ?? 'HmacSHA256');
  }

  /**
   * The private half of an RSA key pair: unwraps content keys and signs. `algorithm` is the
   * name it carries (like `RsaPrivateKey.algorithm`), default `RSA`.
   */
  async rsaPrivateKey(ref: Pkcs11KeyRef, options: { readonly algorithm?: string; readonly require?: readonly Pkcs11Usage[] } = {}): Promise<Pkcs11RsaPrivateKey> {
    const { context, modulus, publicExponent } = await this.#find(ref, 'private', options.require ?? []);
    if (modulus === undefined || publicExponent === undefined) {
      throw new DdbecError('ERR_PKCS11_KEY_NOT_FOUND', `${describeRef(ref)} is not an RSA private key with a readable modulus`);
    }
    return new Pkcs11RsaPrivateKey(context, options.algorithm ?? 'RSA', modulus, publicExponent);
  }

  /** The public half of an RSA key pair, as a software key (from the public or the private object). */
  async rsaPublicKey(ref: Pkcs11KeyRef, algorithm = 'RSA'): Promise<RsaPublicKey> {
    const found = await this.#find(ref, 'public', []).catch(async (error: unknown) => {
      if (error instanceof DdbecError && error.code === 'ERR_PKCS11_KEY_NOT_FOUND') return this.#find(ref, 'private', []);
      throw error;
    });
    if (found.modulus === undefined || found.publicExponent === undefined) {
      throw new DdbecError('ERR_PKCS11_KEY_NOT_FOUND', `${describeRef(ref)} is not an RSA key`);
    }
    return rsaPublicKeyFromComponents(found.modulus, found.publicExponent, algorithm);
  }

  /**
   * Label, ID, class, the extractable and sensitive flags, and usage of a key object. Both
   * halves of an RSA pair carry its label: name the class to pick one.
   */
  async describeKey(ref: Pkcs11KeyRef, keyClass?: 'secret' | 'private' | 'public'): Promise<Pkcs11KeyInfo> {
    const p = this.#p;
    return this.#pool.use((session) => {
      const pkcs11 = this.#module.pkcs11;
      const classValue = keyClass === undefined ? undefined : { secret: p.CKO_SECRET_KEY, private: p.CKO_PRIVATE_KEY, public: p.CKO_PUBLIC_KEY }[keyClass];
      const handle = findOne(pkcs11, session, p, ref, classValue);
      const read = readAttributes(pkcs11, session, handle, {
        class: p.CKA_CLASS,
        label: p.CKA_LABEL,
        id: p.CKA_ID,
        extractable: p.CKA_EXTRACTABLE,
        sensitive: p.CKA_SENSITIVE,
      });
      const objectClass = read.class?.readUInt32LE(0);
      return {
        label: read.label?.toString('utf8') ?? '',
        id: read.id?.toString('hex') ?? '',
        class: objectClass === p.CKO_PRIVATE_KEY ? 'private' : objectClass === p.CKO_PUBLIC_KEY ? 'public' : 'secret',
        extractable: flag(read.extractable),
        sensitive: flag(read.sensitive),
        usage: usageOf(pkcs11, session, p, handle),
      };
    });
  }

  /** Generates a 128-, 192- or 256-bit AES key in the token. */
  async generateAesKey(options: Pkcs11GenerateOptions & { readonly bits?: 128 | 192 | 256 }): Promise<Pkcs11KeyInfo> {
    const bits = options.bits ?? 256;
    if (![128, 192, 256].includes(bits)) throw new DdbecError('ERR_INVALID_ARGUMENT', 'an AES key has 128, 192 or 256 bits');
    const p = this.#p;
    await this.#create(options, DEFAULT_USAGE.aes, (session, template) =>
      this.#module.pkcs11.C_GenerateKey(session, { mechanism: p.CKM_AES_KEY_GEN }, [
        ...template,
        { type: p.CKA_KEY_TYPE, value: p.CKK_AES },
        { type: p.CKA_VALUE_LEN, value: bits / 8 },
      ]),
    );
    return this.describeKey({ label: options.label });
  }

  /** Generates an HMAC key (a generic secret of `bits` bits, default 256). */
  async generateHmacKey(options: Pkcs11GenerateOptions & { readonly bits?: number }): Promise<Pkcs11KeyInfo> {
    const bits = options.bits ?? 256;
    if (!Number.isSafeInteger(bits) || bits < 128 || bits % 8 !== 0) throw new DdbecError('ERR_INVALID_ARGUMENT', 'an HMAC key has at least 128 bits, in whole bytes');
    const p = this.#p;
    await this.#create(options, DEFAULT_USAGE.hmac, (session, template) =>
      this.#module.pkcs11.C_GenerateKey(session, { mechanism: p.CKM_GENERIC_SECRET_KEY_GEN }, [
        ...template,
        { type: p.CKA_KEY_TYPE, value: p.CKK_GENERIC_SECRET },
        { type: p.CKA_VALUE_LEN, value: bits / 8 },
      ]),
    );
    return this.describeKey({ label: options.label });
  }

  /** Generates an RSA key pair (public exponent 65537); both halves carry the label. */
  async generateRsaKeyPair(options: Pkcs11GenerateOptions & { readonly bits?: number }): Promise<Pkcs11KeyInfo> {
    const bits = options.bits ?? 3072;
    if (!Number.isSafeInteger(bits) || bits < 2048 || bits > 8192) throw new DdbecError('ERR_INVALID_ARGUMENT', 'an RSA key has 2048 to 8192 bits');
    const p = this.#p;
    await this.#create(options, DEFAULT_USAGE.rsa, (session, template) => {
      const publicTemplate = [
        ...template.filter((attribute) => attribute.type !== p.CKA_SENSITIVE && attribute.type !== p.CKA_EXTRACTABLE && attribute.type !== p.CKA_PRIVATE && attribute.type !== p.CKA_CLASS),
        { type: p.CKA_MODULUS_BITS, value: bits },
        { type: p.CKA_PUBLIC_EXPONENT, value: Buffer.from([1, 0, 1]) },
      ].filter((attribute) => !privateUsageAttribute(p, attribute.type));
      const privateTemplate = template.filter((attribute) => attribute.type !== p.CKA_CLASS && !publicUsageAttribute(p, attribute.type));
      this.#module.pkcs11.C_GenerateKeyPair(session, { mechanism: p.CKM_RSA_PKCS_KEY_PAIR_GEN }, publicTemplate, privateTemplate);
    });
    return this.describeKey({ label: options.label }, 'private');
  }

  /**
   * Imports a known key into the token as a sensitive, non-extractable object: an AES or HMAC
   * `SecretKey`, or an `RsaPrivateKey` (its public half is imported beside it). For moving
   * existing keys into an HSM, and for tests that compare the token with software.
   */
  async importKey(options: Pkcs11GenerateOptions & { readonly key: SecretKey | RsaPrivateKey }): Promise<Pkcs11KeyInfo> {
    const { key } = options;
    const p = this.#p;
    if (key instanceof SecretKey) {
      const aes = key.algorithm === 'AES';
      if (!aes && !HMAC_ALGORITHMS.has(key.algorithm)) throw new DdbecError('ERR_INVALID_KEY', `cannot import a ${key.algorithm} key`);
      const value = Buffer.from(key.exportBytes());
      try {
        await this.#create(options, aes ? DEFAULT_USAGE.aes : DEFAULT_USAGE.hmac, (session, template) =>
          this.#module.pkcs11.C_CreateObject(session, [...template, { type: p.CKA_KEY_TYPE, value: aes ? p.CKK_AES : p.CKK_GENERIC_SECRET }, { type: p.CKA_VALUE, value }]),
        );
      } finally {
        value.fill(0);
      }
      return this.describeKey({ label: options.label }, 'secret');
    }
    if (!(key instanceof RsaPrivateKey)) throw new DdbecError('ERR_INVALID_ARGUMENT', 'importKey takes a SecretKey or an RsaPrivateKey');
    const parts = rsaPrivateComponents(key);
    await this.#create(options, DEFAULT_USAGE.rsa, (session, template) => {
      const pkcs11 = this.#module.pkcs11;
      const common = [{ type: p.CKA_KEY_TYPE, value: p.CKK_RSA }, { type: p.CKA_MODULUS, value: parts.modulus }, { type: p.CKA_PUBLIC_EXPONENT, value: parts.publicExponent }];
      pkcs11.C_CreateObject(session, [
        ...template.filter((attribute) => !publicUsageAttribute(p, attribute.type)),
        ...common,
        { type: p.CKA_PRIVATE_EXPONENT, value: parts.privateExponent },
        { type: p.CKA_PRIME_1, value: parts.prime1 },
        { type: p.CKA_PRIME_2, value: parts.prime2 },
        { type: p.CKA_EXPONENT_1, value: parts.exponent1 },
        { type: p.CKA_EXPONENT_2, value: parts.exponent2 },
        { type: p.CKA_COEFFICIENT, value: parts.coefficient },
      ]);
      pkcs11.C_CreateObject(session, [
        ...template.filter(
          (attribute) =>
            attribute.type !== p.CKA_SENSITIVE && attribute.type !== p.CKA_EXTRACTABLE && attribute.type !== p.CKA_PRIVATE && !privateUsageAttribute(p, attribute.type),
        ).map((attribute) => (attribute.type === p.CKA_CLASS ? { type: p.CKA_CLASS, value: p.CKO_PUBLIC_KEY } : attribute)),
        ...common,
      ]);
      for (const part of Object.values(parts) as Buffer[]) part.fill(0);
    }, p.CKO_PRIVATE_KEY);
    return this.describeKey({ label: options.label }, 'private');
  }

  /** Closes the sessions and, when no other token uses it, the module. */
  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      this.#pool.close();
      releaseModule(this.#path, this.#module);
    }
    return Promise.resolve();
  }

  toString(): string {
    return `Pkcs11Token { module: '${this.#path}' }`;
  }

  async #find(
    ref: Pkcs11KeyRef,
    kind: 'secret' | 'private' | 'public',
    required: readonly Pkcs11Usage[],
  ): Promise<{ context: KeyContext; modulus?: Buffer | undefined; publicExponent?: Buffer | undefined }> {
    const p = this.#p;
    const pkcs11 = this.#module.pkcs11;
    const classValue = { secret: p.CKO_SECRET_KEY, private: p.CKO_PRIVATE_KEY, public: p.CKO_PUBLIC_KEY }[kind];
    return this.#pool.use((session) => {
      const handle = findOne(pkcs11, session, p, ref, classValue);
      const usage = new Set(usageOf(pkcs11, session, p, handle));
      const name = describeRef(ref);
      for (const needed of required) {
        if (!usage.has(needed)) throw new DdbecError('ERR_PKCS11_KEY_USAGE', `${name} cannot ${needed}: its ${USAGE_ATTRIBUTES[needed]} attribute is not set`);
      }
      const rsa = kind === 'secret' ? {} : readAttributes(pkcs11, session, handle, { modulus: p.CKA_MODULUS, publicExponent: p.CKA_PUBLIC_EXPONENT });
      return { context: { p, pkcs11, pool: this.#pool, handle, name, usage }, modulus: rsa.modulus, publicExponent: rsa.publicExponent };
    });
  }

  async #create(
    options: Pkcs11GenerateOptions,
    defaults: readonly Pkcs11Usage[],
    make: (session: Handle, template: Pkcs11js.Template) => unknown,
    classValue = this.#p.CKO_SECRET_KEY,
  ): Promise<void> {
    const { label } = options;
    if (typeof label !== 'string' || label.length === 0) throw new DdbecError('ERR_INVALID_ARGUMENT', 'a key to create needs a label');
    const usage = new Set(options.usage ?? defaults);
    for (const entry of usage) {
      if (!Object.hasOwn(USAGE_ATTRIBUTES, entry)) throw new DdbecError('ERR_INVALID_ARGUMENT', `unknown key usage "${entry}"`);
    }
    const id = options.id === undefined ? Buffer.from(randomBytes(8)) : idBytes(options.id);
    const p = this.#p;
    await this.#pool.use((session) => {
      const pkcs11 = this.#module.pkcs11;
      pkcs11.C_FindObjectsInit(session, [{ type: p.CKA_LABEL, value: label }]);
      const existing = pkcs11.C_FindObjects(session, 1);
      pkcs11.C_FindObjectsFinal(session);
      if (existing.length > 0) throw new DdbecError('ERR_INVALID_ARGUMENT', `the token already holds a key labelled "${label}"`);
      const template: Pkcs11js.Template = [
        { type: p.CKA_CLASS, value: classValue },
        { type: p.CKA_TOKEN, value: true },
        { type: p.CKA_PRIVATE, value: true },
        { type: p.CKA_SENSITIVE, value: true },
        { type: p.CKA_EXTRACTABLE, value: false },
        { type: p.CKA_LABEL, value: label },
        { type: p.CKA_ID, value: id },
        ...Object.entries(USAGE_ATTRIBUTES).map(([entry, attribute]) => ({
          type: (p as unknown as Record<string, number>)[attribute] as number,
          value: usage.has(entry as Pkcs11Usage),
        })),
      ];
      try {
        make(session, template);
      } catch (error) {
        throw new DdbecError('ERR_PKCS11_FAILED', `the token could not create the key "${label}" (${ckr(error) ?? 'native error'})`, { cause: error });
      }
    });
  }
}

function findSlot(pkcs11: Pkcs11js.PKCS11, tokenLabel: string | undefined, slot: number | undefined): Handle {
  const slots = pkcs11.C_GetSlotList(true);
  const labels: string[] = [];
  for (const candidate of slots) {
    if (slot !== undefined) {
      if (slotId(candidate) === slot) return candidate;
      continue;
    }
    const label = pkcs11.C_GetTokenInfo(candidate).label.trimEnd();
    if (label === tokenLabel) return candidate;
    labels.push(`"${label}"`);
  }
  const wanted = slot !== undefined ? `in slot ${slot}` : `labelled "${tokenLabel ?? ''}"`;
  const seen = slot !== undefined ? `slots with tokens: ${slots.map(slotId).join(', ') || 'none'}` : `tokens: ${labels.join(', ') || 'none'}`;
  throw new DdbecError('ERR_PKCS11_TOKEN_NOT_FOUND', `no PKCS#11 token ${wanted} (${seen})`);
}

function findOne(pkcs11: Pkcs11js.PKCS11, session: Handle, p: Binding, ref: Pkcs11KeyRef, classValue: number | undefined): Handle {
  const template: Pkcs11js.Template = ref.label !== undefined ? [{ type: p.CKA_LABEL, value: ref.label }] : [{ type: p.CKA_ID, value: idBytes(ref.id) }];
  if (classValue !== undefined) template.push({ type: p.CKA_CLASS, value: classValue });
  pkcs11.C_FindObjectsInit(session, template);
  let found: Handle[];
  try {
    found = pkcs11.C_FindObjects(session, 2);
  } finally {
    pkcs11.C_FindObjectsFinal(session);
  }
  const kind = classValue === p.CKO_PRIVATE_KEY ? 'private key' : classValue === p.CKO_PUBLIC_KEY ? 'public key' : classValue === p.CKO_SECRET_KEY ? 'secret key' : 'object';
  if (found.length === 0) throw new DdbecError('ERR_PKCS11_KEY_NOT_FOUND', `the token holds no ${kind} for ${describeRef(ref)}`);
  if (found.length > 1) throw new DdbecError('ERR_PKCS11_KEY_NOT_FOUND', `the token holds several ${kind}s for ${describeRef(ref)}: name one by id`);
  return found[0] as Handle;
}

/** Reads attributes one by one (a sensitive or absent one is left out rather than failing the rest). */
function readAttributes<K extends string>(pkcs11: Pkcs11js.PKCS11, session: Handle, handle: Handle, attributes: Record<K, number>): Partial<Record<K, Buffer>> {
  const out: Partial<Record<K, Buffer>> = {};
  for (const [name, type] of Object.entries(attributes) as [K, number][]) {
    try {
      const [attribute] = pkcs11.C_GetAttributeValue(session, handle, [{ type }]);
      if (attribute?.value instanceof Buffer) out[name] = attribute.value;
    } catch {
      // CKR_ATTRIBUTE_TYPE_INVALID / CKR_ATTRIBUTE_SENSITIVE: not there or not readable.
    }
  }
  return out;
}

function flag(value: Buffer | undefined): boolean | undefined {
  return value === undefined ? undefined : value[0] !== 0;
}

function usageOf(pkcs11: Pkcs11js.PKCS11, session: Handle, p: Binding, handle: Handle): Pkcs11Usage[] {
  const types = Object.fromEntries(Object.entries(USAGE_ATTRIBUTES).map(([usage, attribute]) => [usage, (p as unknown as Record<string, number>)[attribute] as number]));
  const read = readAttributes(pkcs11, session, handle, types);
  return (Object.keys(USAGE_ATTRIBUTES) as Pkcs11Usage[]).filter((usage) => flag(read[usage]) === true);
}

/** CKA_DECRYPT, CKA_UNWRAP, CKA_SIGN: not attributes of a public key. */
function privateUsageAttribute(p: Binding, type: number): boolean {
  return type === p.CKA_DECRYPT || type === p.CKA_UNWRAP || type === p.CKA_SIGN;
}

/** CKA_ENCRYPT, CKA_WRAP, CKA_VERIFY: not attributes of a private key. */
function publicUsageAttribute(p: Binding, type: number): boolean {
  return type === p.CKA_ENCRYPT || type === p.CKA_WRAP || type === p.CKA_VERIFY;
}
