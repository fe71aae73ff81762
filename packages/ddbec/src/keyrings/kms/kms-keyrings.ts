/**
 * The AWS KMS keyrings (mpl-spec framework/aws-kms/): strict (`AwsKmsKeyring`), multi-Region
 * aware (`AwsKmsMrkKeyring`), discovery (`AwsKmsDiscoveryKeyring`) and multi-Region aware
 * discovery (`AwsKmsMrkDiscoveryKeyring`). Under the DB-ESDK suites KMS encrypts the
 * intermediate key (see edk-wrapping.ts): the EDK ciphertext is the wrapped data key followed by
 * the KMS ciphertext blob. Key provider id `aws-kms`, key provider info the key ARN (UTF-8).
 */
import { DecryptCommand, EncryptCommand, GenerateDataKeyCommand, type KMSClient } from '@aws-sdk/client-kms';
import { DdbecError } from '../../errors.js';
import { randomBytes } from '../../crypto/primitives.js';
import { utf8DecodeStrict, utf8Encode } from '../../format/utf8.js';
import { callKms } from '../../kms-call.js';
import { encryptionContextAad } from '../../structured/encryption-context.js';
import type { AlgorithmSuite } from '../algorithm-suites.js';
import {
  providerWrappedMaterial,
  unwrapWithIntermediateKey,
  wrapWithGeneratedIntermediateKey,
  wrapWithIntermediateKey,
} from '../edk-wrapping.js';
import { noDataKeyDecrypted } from '../failures.js';
import type { DecryptionMaterials, EncryptedDataKey, EncryptionMaterials, Keyring } from '../types.js';
import { isKmsIdentifier, isMultiRegionKey, mrkMatch, parseKmsArn, withRegion, type KmsArn } from './arn.js';

/** The key provider id of every AWS KMS keyring's encrypted data keys. */
export const KMS_PROVIDER_ID = 'aws-kms';

export interface AwsKmsKeyringOptions {
  /** The caller's KMS client, in the key's region. */
  readonly kmsClient: KMSClient;
  /**
   * Key id, key ARN, alias name or alias ARN. Only a key ARN can decrypt: decryption matches the
   * ARN stored with each encrypted data key against this identifier.
   */
  readonly kmsKeyId: string;
  readonly grantTokens?: readonly string[];
}

/** Which accounts' keys a discovery keyring may use: all of `accountIds`, in `partition` (e.g. `aws`). */
export interface DiscoveryFilter {
  readonly partition: string;
  readonly accountIds: readonly string[];
}

export interface AwsKmsDiscoveryKeyringOptions {
  /** The caller's KMS client. */
  readonly kmsClient: KMSClient;
  /** Strongly recommended: without one, any KMS key the caller may use decrypts. */
  readonly discoveryFilter?: DiscoveryFilter;
  readonly grantTokens?: readonly string[];
}

export interface AwsKmsMrkDiscoveryKeyringOptions extends AwsKmsDiscoveryKeyringOptions {
  /** The region of `kmsClient`: multi-Region keys are used through their replica there. */
  readonly region: string;
}

/** An encrypted data key of an AWS KMS keyring, with its key ARN parsed. */
interface KmsEdk {
  readonly edk: EncryptedDataKey;
  readonly arnText: string;
  readonly arn: KmsArn;
}

function checkClient(client: unknown, keyring: string): asserts client is KMSClient {
  if (typeof (client as KMSClient | undefined)?.send !== 'function') throw new DdbecError('ERR_INVALID_ARGUMENT', `${keyring} needs a kmsClient`);
}

function copyGrantTokens(tokens: readonly string[] | undefined, keyring: string): string[] | undefined {
  if (tokens === undefined) return undefined;
  if (!isStringList(tokens)) throw new DdbecError('ERR_INVALID_ARGUMENT', `${keyring}: grantTokens must be an array of non-empty strings`);
  return tokens.slice();
}

function isStringList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && (value as unknown[]).every((item) => typeof item === 'string' && item !== '');
}

function checkFilter(filter: DiscoveryFilter | undefined, keyring: string): DiscoveryFilter | undefined {
  if (filter === undefined) return undefined;
  const { partition, accountIds } = filter;
  if (typeof partition !== 'string' || partition === '' || !isStringList(accountIds) || accountIds.length === 0) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `${keyring}: discoveryFilter needs a partition and a list of account ids`);
  }
  return Object.freeze({ partition, accountIds: Object.freeze(accountIds.slice()) });
}

/**
 * The `aws-kms` encrypted data keys; a provider info that is not a KMS key ARN fails the whole
 * decryption, as the spec requires.
 */
function kmsEdks(encryptedDataKeys: readonly EncryptedDataKey[], keyring: string): KmsEdk[] {
  const found: KmsEdk[] = [];
  for (const edk of encryptedDataKeys) {
    if (edk.keyProviderId !== KMS_PROVIDER_ID) continue;
    const arnText = utf8DecodeStrict(edk.keyProviderInfo);
    const arn = arnText === undefined ? undefined : parseKmsArn(arnText);
    if (arnText === undefined || arn?.resourceType !== 'key') {
      throw new DdbecError('ERR_UNWRAPPING_FAILED', `${keyring}: an aws-kms encrypted data key names no KMS key ARN`);
    }
    found.push({ edk, arnText, arn });
  }
  return found;
}

function passesFilter(filter: DiscoveryFilter | undefined, arn: KmsArn): boolean {
  return filter === undefined || (filter.partition === arn.partition && filter.accountIds.includes(arn.accountId));
}

/** What the KMS calls of one keyring share. */
class KmsCalls {
  constructor(
    readonly client: KMSClient,
    readonly grantTokens: string[] | undefined,
    readonly keyring: string,
  ) {}

  /**
   * Encrypt: GenerateDataKey makes the intermediate key when the materials have no data key yet
   * (the data key itself is drawn locally), Encrypt wraps a fresh intermediate key otherwise.
   */
  async encrypt(materials: EncryptionMaterials, keyId: string): Promise<EncryptionMaterials> {
    const suite = materials.algorithmSuite;
    const aad = encryptionContextAad(materials.encryptionContext);
    const context = { ...materials.encryptionContext };
    let reportedKeyId = '';
    const checkResponse = (operation: string, response: { KeyId?: string | undefined; CiphertextBlob?: Uint8Array | undefined }): Uint8Array => {
      if (response.KeyId === undefined || parseKmsArn(response.KeyId)?.resourceType !== 'key' || !response.CiphertextBlob) {
        throw new DdbecError('ERR_WRAPPING_FAILED', `${this.keyring}: AWS KMS ${operation} answered without a key ARN or ciphertext`);
      }
      reportedKeyId = response.KeyId;
      return response.CiphertextBlob;
    };
    const dataKey = materials.plaintextDataKey ?? randomBytes(suite.keyLength);
    const wrapped =
      materials.plaintextDataKey === undefined
        ? await wrapWithGeneratedIntermediateKey(suite, dataKey, aad, async () => {
          const response = await callKms('GenerateDataKey', keyId, 'ERR_WRAPPING_FAILED', () =>
            this.client.send(new GenerateDataKeyCommand({ KeyId: keyId, NumberOfBytes: suite.keyLength, EncryptionContext: context, GrantTokens: this.grantTokens })),
          );
          const ciphertext = checkResponse('GenerateDataKey', response);
          if (response.Plaintext?.length !== suite.keyLength) {
            throw new DdbecError('ERR_WRAPPING_FAILED', `${this.keyring}: AWS KMS GenerateDataKey returned a key of the wrong length`);
          }
          return { intermediateKey: response.Plaintext, wrappedIntermediateKey: ciphertext };
        })
        : await wrapWithIntermediateKey(suite, dataKey, aad, async (intermediateKey) => {
          const response = await callKms('Encrypt', keyId, 'ERR_WRAPPING_FAILED', () =>
            this.client.send(new EncryptCommand({ KeyId: keyId, Plaintext: intermediateKey, EncryptionContext: context, GrantTokens: this.grantTokens })),
          );
          return checkResponse('Encrypt', response);
        });
    const edk: EncryptedDataKey = { keyProviderId: KMS_PROVIDER_ID, keyProviderInfo: utf8Encode(reportedKeyId), ciphertext: wrapped.ciphertext };
    return {
      ...materials,
      plaintextDataKey: dataKey,
      encryptedDataKeys: [...materials.encryptedDataKeys, edk],
      symmetricSigningKeys: [...(materials.symmetricSigningKeys ?? []), wrapped.symmetricSigningKey],
    };
  }

  /**
   * Tries the candidates one at a time: KMS Decrypt with `keyIdFor(candidate)`, which KMS must
   * report back as the key it used; the first that unwraps wins.
   */
  async decrypt(materials: DecryptionMaterials, candidates: readonly KmsEdk[], keyIdFor: (candidate: KmsEdk) => string): Promise<DecryptionMaterials> {
    const suite = materials.algorithmSuite;
    const aad = encryptionContextAad(materials.encryptionContext);
    const errors: unknown[] = [];
    for (const candidate of candidates) {
      try {
        return { ...materials, ...(await this.#decryptOne(suite, materials, aad, candidate, keyIdFor(candidate))) };
      } catch (error) {
        errors.push(error);
      }
    }
    throw noDataKeyDecrypted(this.keyring, errors);
  }

  async #decryptOne(suite: AlgorithmSuite, materials: DecryptionMaterials, aad: Uint8Array, candidate: KmsEdk, keyId: string) {
    const blob = providerWrappedMaterial(suite, candidate.edk.ciphertext);
    if (blob === undefined) throw new DdbecError('ERR_UNWRAPPING_FAILED', `the data key of ${candidate.arnText} is too short`);
    const response = await callKms('Decrypt', keyId, 'ERR_UNWRAPPING_FAILED', () =>
      this.client.send(
        new DecryptCommand({ KeyId: keyId, CiphertextBlob: blob, EncryptionContext: { ...materials.encryptionContext }, GrantTokens: this.grantTokens }),
      ),
    );
    if (response.KeyId !== keyId) throw new DdbecError('ERR_UNWRAPPING_FAILED', `AWS KMS decrypted with ${String(response.KeyId)}, not ${keyId}`);
    const intermediateKey = response.Plaintext;
    if (intermediateKey?.length !== suite.keyLength) throw new DdbecError('ERR_UNWRAPPING_FAILED', `AWS KMS Decrypt with ${keyId} returned a key of the wrong length`);
    const unwrapped = unwrapWithIntermediateKey(suite, candidate.edk.ciphertext, aad, intermediateKey);
    intermediateKey.fill(0);
    if (unwrapped === undefined) throw new DdbecError('ERR_UNWRAPPING_FAILED', `the data key of ${candidate.arnText} does not authenticate`);
    return unwrapped;
  }
}

/** Strict and MRK-aware keyrings: one configured key. */
abstract class SingleKeyKmsKeyring implements Keyring {
  readonly kmsKeyId: string;
  readonly #calls: KmsCalls;

  protected constructor(options: AwsKmsKeyringOptions, name: string) {
    checkClient(options?.kmsClient, name);
    if (typeof options.kmsKeyId !== 'string' || !isKmsIdentifier(options.kmsKeyId)) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', `${name}: kmsKeyId must be a KMS key id, key ARN, alias name or alias ARN`);
    }
    this.kmsKeyId = options.kmsKeyId;
    this.#calls = new KmsCalls(options.kmsClient, copyGrantTokens(options.grantTokens, name), `${name} ${options.kmsKeyId}`);
  }

  /** Whether an encrypted data key's key ARN is this keyring's key. */
  protected abstract matches(arn: string): boolean;

  onEncrypt(materials: EncryptionMaterials): Promise<EncryptionMaterials> {
    return this.#calls.encrypt(materials, this.kmsKeyId);
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey !== undefined) return materials;
    const candidates = kmsEdks(encryptedDataKeys, this.#calls.keyring).filter((c) => this.matches(c.arnText));
    return this.#calls.decrypt(materials, candidates, () => this.kmsKeyId);
  }
}

/**
 * Encrypts with one KMS key and decrypts only data keys of exactly that key ARN (mpl-spec
 * aws-kms-keyring.md). The usual keyring for AWS KMS.
 */
export class AwsKmsKeyring extends SingleKeyKmsKeyring {
  constructor(options: AwsKmsKeyringOptions) {
    super(options, 'AwsKmsKeyring');
    Object.freeze(this);
  }

  protected matches(arn: string): boolean {
    return arn === this.kmsKeyId;
  }
}

/**
 * Like {@link AwsKmsKeyring}, and also decrypts data keys of the same multi-Region key in another
 * region, through the configured replica (mpl-spec aws-kms-mrk-keyring.md, MRK match for decrypt).
 */
export class AwsKmsMrkKeyring extends SingleKeyKmsKeyring {
  constructor(options: AwsKmsKeyringOptions) {
    super(options, 'AwsKmsMrkKeyring');
    Object.freeze(this);
  }

  protected matches(arn: string): boolean {
    return mrkMatch(this.kmsKeyId, arn);
  }
}

/**
 * Decrypts with the KMS key named by each encrypted data key, optionally only keys of some
 * accounts (mpl-spec aws-kms-discovery-keyring.md). Cannot encrypt.
 */
export class AwsKmsDiscoveryKeyring implements Keyring {
  readonly discoveryFilter: DiscoveryFilter | undefined;
  readonly #calls: KmsCalls;

  constructor(options: AwsKmsDiscoveryKeyringOptions) {
    checkClient(options?.kmsClient, 'AwsKmsDiscoveryKeyring');
    this.discoveryFilter = checkFilter(options.discoveryFilter, 'AwsKmsDiscoveryKeyring');
    this.#calls = new KmsCalls(options.kmsClient, copyGrantTokens(options.grantTokens, 'AwsKmsDiscoveryKeyring'), 'AwsKmsDiscoveryKeyring');
    Object.freeze(this);
  }

  onEncrypt(): Promise<EncryptionMaterials> {
    return Promise.reject(new DdbecError('ERR_WRAPPING_FAILED', 'AwsKmsDiscoveryKeyring cannot encrypt: use an AwsKmsKeyring'));
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey !== undefined) return materials;
    const candidates = kmsEdks(encryptedDataKeys, this.#calls.keyring).filter((c) => passesFilter(this.discoveryFilter, c.arn));
    return this.#calls.decrypt(materials, candidates, (c) => c.arnText);
  }
}

/**
 * A discovery keyring for one region: multi-Region keys are used through their replica in
 * `region`, other keys only when they are in `region` (mpl-spec aws-kms-mrk-discovery-keyring.md).
 */
export class AwsKmsMrkDiscoveryKeyring implements Keyring {
  readonly region: string;
  readonly discoveryFilter: DiscoveryFilter | undefined;
  readonly #calls: KmsCalls;

  constructor(options: AwsKmsMrkDiscoveryKeyringOptions) {
    checkClient(options?.kmsClient, 'AwsKmsMrkDiscoveryKeyring');
    if (typeof options.region !== 'string' || options.region === '') throw new DdbecError('ERR_INVALID_ARGUMENT', 'AwsKmsMrkDiscoveryKeyring needs a region');
    this.region = options.region;
    this.discoveryFilter = checkFilter(options.discoveryFilter, 'AwsKmsMrkDiscoveryKeyring');
    this.#calls = new KmsCalls(options.kmsClient, copyGrantTokens(options.grantTokens, 'AwsKmsMrkDiscoveryKeyring'), `AwsKmsMrkDiscoveryKeyring ${options.region}`);
    Object.freeze(this);
  }

  onEncrypt(): Promise<EncryptionMaterials> {
    return Promise.reject(new DdbecError('ERR_WRAPPING_FAILED', 'AwsKmsMrkDiscoveryKeyring cannot encrypt: use an AwsKmsMrkKeyring'));
  }

  async onDecrypt(materials: DecryptionMaterials, encryptedDataKeys: readonly EncryptedDataKey[]): Promise<DecryptionMaterials> {
    if (materials.plaintextDataKey !== undefined) return materials;
    const candidates = kmsEdks(encryptedDataKeys, this.#calls.keyring).filter(
      (c) => passesFilter(this.discoveryFilter, c.arn) && (isMultiRegionKey(c.arnText) || c.arn.region === this.region),
    );
    return this.#calls.decrypt(materials, candidates, (c) => (isMultiRegionKey(c.arnText) ? withRegion(c.arn, this.region) : c.arnText));
  }
}
