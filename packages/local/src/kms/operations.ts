import { randomBytes } from 'node:crypto';
import { open, readHeader, seal } from './ciphertext.js';
import { DAY_MS, DEFAULT_ROTATION_DAYS, MAX_ON_DEMAND_ROTATIONS, type KmsEngine } from './engine.js';
import { accessDenied, incorrectKey, invalidCiphertext, KmsError, notFound, unsupported, validation } from './errors.js';
import { Input } from './input.js';
import {
  algorithmsMetadata,
  CUSTOMER_MASTER_KEY_SPECS,
  ENCRYPTION_ALGORITHMS,
  KEY_SPECS,
  KEY_USAGES,
  keyKind,
  usageAllowed,
  type EncryptionAlgorithm,
} from './specs.js';
import type { KeyRecord, MaterialRecord } from './state.js';

/** What a handler gets besides its input: the engine, and the request record to annotate. */
export interface OperationContext {
  readonly engine: KmsEngine;
  /** The handler sets `keyArn` to the key the request used. */
  readonly note: { keyArn?: string };
}

export type Handler = (input: Input, ctx: OperationContext) => Record<string, unknown>;

const KEY_ID_MAX = 2048;
const PLAINTEXT_MAX = 4096;
const CIPHERTEXT_MAX = 6144;
const MAX_TAGS = 50;

const b64 = (bytes: Buffer): string => bytes.toString('base64');
const seconds = (ms: number): number => ms / 1000;

function arn(ctx: OperationContext, key: KeyRecord): string {
  return ctx.engine.keyArn(key.keyId);
}

/** Resolves a key reference and notes it on the request record. */
function useKey(ctx: OperationContext, ref: string, allowAlias: boolean): KeyRecord {
  const key = ctx.engine.resolve(ref, allowAlias);
  ctx.note.keyArn = arn(ctx, key);
  return key;
}

const pendingDeletion = (keyArn: string): KmsError => new KmsError('KMSInvalidStateException', `${keyArn} is pending deletion.`);

/** Cryptographic operations need an Enabled key. */
function requireEnabled(ctx: OperationContext, key: KeyRecord): void {
  if (key.keyState === 'Disabled') throw new KmsError('DisabledException', `${arn(ctx, key)} is disabled.`);
  if (key.keyState === 'PendingDeletion') throw pendingDeletion(arn(ctx, key));
}

function requireNotPendingDeletion(ctx: OperationContext, key: KeyRecord): void {
  if (key.keyState === 'PendingDeletion') throw pendingDeletion(arn(ctx, key));
}

/** AWS managed keys cannot be managed by the account (their key policy does not allow it). */
function requireCustomerManaged(ctx: OperationContext, key: KeyRecord, action: string): void {
  if (key.keyManager === 'AWS') throw accessDenied(action, arn(ctx, key));
}

function invalidKeyUsage(message: string): KmsError {
  return new KmsError('InvalidKeyUsageException', message);
}

/** Encrypt / Decrypt / ReEncrypt: the key must do ENCRYPT_DECRYPT with `algorithm`; only symmetric crypto is emulated. */
function requireEncryption(ctx: OperationContext, key: KeyRecord, operation: string, algorithm: EncryptionAlgorithm): void {
  if (key.keyUsage !== 'ENCRYPT_DECRYPT') {
    throw invalidKeyUsage(`${arn(ctx, key)} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
  }
  const allowed = algorithmsMetadata(key.keySpec, key.keyUsage).EncryptionAlgorithms ?? [];
  if (!allowed.includes(algorithm)) throw invalidKeyUsage(`Algorithm ${algorithm} is incompatible with key spec ${key.keySpec}.`);
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw unsupported(`The local KMS does not implement ${algorithm} (${key.keySpec}) encryption; only SYMMETRIC_DEFAULT keys encrypt and decrypt.`);
  }
}

/** GenerateDataKey*: symmetric encryption keys only, as in AWS. */
function requireSymmetric(ctx: OperationContext, key: KeyRecord, operation: string): void {
  if (key.keyUsage !== 'ENCRYPT_DECRYPT') {
    throw invalidKeyUsage(`${arn(ctx, key)} key usage is ${key.keyUsage} which is not valid for ${operation}.`);
  }
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') throw invalidKeyUsage(`${arn(ctx, key)} key spec ${key.keySpec} is not valid for ${operation}.`);
}

function checkDryRun(input: Input): void {
  if (input.optBoolean('DryRun') === true) {
    throw new KmsError('DryRunOperationException', 'The request would have succeeded; nothing was done because DryRun is set.');
  }
}

function rejectRecipient(input: Input): void {
  if (input.has('Recipient')) throw unsupported('The local KMS does not support Recipient (Nitro Enclaves attestation).');
}

function material(key: KeyRecord): MaterialRecord {
  const current = key.materials.at(-1);
  if (current === undefined) throw new KmsError('KMSInternalException', `key ${key.keyId} has no key material`, 500);
  return current;
}

function encryptUnder(key: KeyRecord, plaintext: Buffer, context: Record<string, string>): { blob: Buffer; material: MaterialRecord } {
  const m = material(key);
  return { blob: seal(key.keyId, m.version, Buffer.from(m.key, 'base64'), plaintext, context), material: m };
}

/** Decrypt and the source half of ReEncrypt. */
function decryptBlob(
  ctx: OperationContext,
  blob: Buffer,
  context: Record<string, string>,
  requestedRef: string | undefined,
  algorithm: EncryptionAlgorithm,
  operation: string,
): { key: KeyRecord; plaintext: Buffer; material: MaterialRecord } {
  const header = readHeader(blob);
  if (requestedRef !== undefined) {
    const requested = useKey(ctx, requestedRef, true);
    if (header === undefined) {
      requireEnabled(ctx, requested);
      requireEncryption(ctx, requested, operation, algorithm);
      throw invalidCiphertext();
    }
    if (header.keyId !== requested.keyId) throw incorrectKey();
  }
  if (header === undefined) throw invalidCiphertext();
  const key = ctx.engine.keys.get(header.keyId);
  if (key === undefined) {
    // A key that existed and was deleted: its data is gone for good, say so.
    if (ctx.engine.deletedKeyIds.has(header.keyId)) throw notFound(`Key '${ctx.engine.keyArn(header.keyId)}' does not exist`);
    throw invalidCiphertext();
  }
  ctx.note.keyArn = arn(ctx, key);
  requireEnabled(ctx, key);
  requireEncryption(ctx, key, operation, algorithm);
  const used = key.materials.find((m) => m.version === header.materialVersion);
  if (used === undefined) throw invalidCiphertext();
  const plaintext = open(blob, Buffer.from(used.key, 'base64'), context);
  if (plaintext === undefined) throw invalidCiphertext();
  return { key, plaintext, material: used };
}

function tagException(message: string): KmsError {
  return new KmsError('TagException', message);
}

function parseTags(input: Input): { key: string; value: string }[] | undefined {
  const list = input.optList('Tags');
  if (list === undefined) return undefined;
  const tags = list.map((item, i) => {
    const o = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const at = `tags.${i + 1}.member`;
    const { TagKey: key, TagValue: value } = o;
    if (typeof key !== 'string') throw validation(`1 validation error detected: Value null at '${at}.tagKey' failed to satisfy constraint: Member must not be null`);
    if (typeof value !== 'string') throw validation(`1 validation error detected: Value null at '${at}.tagValue' failed to satisfy constraint: Member must not be null`);
    if (key.length < 1 || key.length > 128) {
      throw validation(`1 validation error detected: Value '${key}' at '${at}.tagKey' failed to satisfy constraint: Member must have length between 1 and 128`);
    }
    if (value.length > 256) {
      throw validation(`1 validation error detected: Value '${value}' at '${at}.tagValue' failed to satisfy constraint: Member must have length less than or equal to 256`);
    }
    if (key.toLowerCase().startsWith('aws:')) throw tagException('Tags beginning with aws: are reserved');
    return { key, value };
  });
  if (new Set(tags.map((t) => t.key)).size !== tags.length) throw tagException('Duplicate tag keys');
  if (tags.length > MAX_TAGS) throw tagException('Too many tags');
  return tags;
}

// ---- paging -------------------------------------------------------------------------------

const MARKER_PREFIX = 'lkms1:';

function page<T>(items: readonly T[], sortKey: (item: T) => string, limit: number, marker: string | undefined): { items: T[]; next?: string } {
  const sorted = [...items].sort((a, b) => (sortKey(a) < sortKey(b) ? -1 : sortKey(a) > sortKey(b) ? 1 : 0));
  let start = 0;
  if (marker !== undefined) {
    const decoded = Buffer.from(marker, 'base64url').toString('utf8');
    if (!decoded.startsWith(MARKER_PREFIX)) throw new KmsError('InvalidMarkerException', 'The Marker is not one this KMS returned.');
    const after = decoded.slice(MARKER_PREFIX.length);
    start = sorted.findIndex((item) => sortKey(item) > after);
    if (start < 0) start = sorted.length;
  }
  const slice = sorted.slice(start, start + limit);
  const last = slice.at(-1);
  if (start + limit >= sorted.length || last === undefined) return { items: slice };
  return { items: slice, next: Buffer.from(MARKER_PREFIX + sortKey(last), 'utf8').toString('base64url') };
}

function paged<T>(listName: string, result: { items: T[]; next?: string }, map: (item: T) => unknown): Record<string, unknown> {
  return {
    [listName]: result.items.map(map),
    Truncated: result.next !== undefined,
    ...(result.next === undefined ? {} : { NextMarker: result.next }),
  };
}

// ---- aliases ------------------------------------------------------------------------------

function checkAliasName(name: string): void {
  if (!name.startsWith('alias/')) throw validation(`Alias names must start with the prefix "alias/" (got '${name}').`);
  if (name === 'alias/' || !/^[a-zA-Z0-9/_-]+$/.test(name)) {
    throw validation(
      `1 validation error detected: Value '${name}' at 'aliasName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9/_-]+$`,
    );
  }
  if (name.toLowerCase().startsWith('alias/aws/')) {
    throw new KmsError('NotAuthorizedException', `Alias names beginning with alias/aws/ are reserved for AWS managed keys: ${name}`);
  }
}

function isAliasRef(ref: string): boolean {
  return ref.startsWith('alias/') || (ref.startsWith('arn:') && ref.split(':').slice(5).join(':').startsWith('alias/'));
}

function rejectAliasTarget(ref: string): void {
  if (isAliasRef(ref)) throw validation(`TargetKeyId must be a key ID or key ARN; an alias cannot point to another alias (got '${ref}').`);
}

// ---- operations ---------------------------------------------------------------------------

function dataKey(input: Input, ctx: OperationContext, operation: string, withPlaintext: boolean): Record<string, unknown> {
  const ref = input.string('KeyId', { max: KEY_ID_MAX });
  const context = input.context('EncryptionContext');
  const numberOfBytes = input.optInteger('NumberOfBytes', { min: 1, max: 1024 });
  const keySpec = input.optEnum('KeySpec', ['AES_256', 'AES_128'] as const);
  input.optStringList('GrantTokens', { max: 10 });
  if (withPlaintext) rejectRecipient(input);
  if ((numberOfBytes === undefined) === (keySpec === undefined)) {
    throw validation('Specify exactly one of NumberOfBytes and KeySpec.');
  }
  const key = useKey(ctx, ref, true);
  requireEnabled(ctx, key);
  requireSymmetric(ctx, key, operation);
  checkDryRun(input);
  const plaintext = randomBytes(numberOfBytes ?? (keySpec === 'AES_128' ? 16 : 32));
  const { blob, material: m } = encryptUnder(key, plaintext, context);
  return {
    CiphertextBlob: b64(blob),
    ...(withPlaintext ? { Plaintext: b64(plaintext) } : {}),
    KeyId: arn(ctx, key),
    KeyMaterialId: m.id,
  };
}

function setEnabled(input: Input, ctx: OperationContext, action: string, enabled: boolean): Record<string, unknown> {
  const key = useKey(ctx, input.string('KeyId', { max: KEY_ID_MAX }), false);
  requireCustomerManaged(ctx, key, action);
  requireNotPendingDeletion(ctx, key);
  key.keyState = enabled ? 'Enabled' : 'Disabled';
  ctx.engine.save();
  return {};
}

function rotationTarget(input: Input, ctx: OperationContext, action: string): KeyRecord {
  const key = useKey(ctx, input.string('KeyId', { max: KEY_ID_MAX }), false);
  requireCustomerManaged(ctx, key, action);
  requireEnabled(ctx, key);
  if (key.keySpec !== 'SYMMETRIC_DEFAULT') {
    throw unsupported(`${arn(ctx, key)} has key spec ${key.keySpec}; only symmetric encryption keys support key rotation.`);
  }
  return key;
}

export const OPERATIONS: Readonly<Record<string, Handler>> = {
  CreateKey(input, ctx) {
    const policy = input.optString('Policy', { max: 32768 });
    const description = input.optString('Description', { min: 0, max: 8192 }) ?? '';
    const usage = input.optEnum('KeyUsage', KEY_USAGES);
    const legacySpec = input.optEnum('CustomerMasterKeySpec', CUSTOMER_MASTER_KEY_SPECS);
    const spec = input.optEnum('KeySpec', KEY_SPECS);
    const origin = input.optEnum('Origin', ['AWS_KMS', 'EXTERNAL', 'AWS_CLOUDHSM', 'EXTERNAL_KEY_STORE'] as const) ?? 'AWS_KMS';
    input.optBoolean('BypassPolicyLockoutSafetyCheck');
    const tags = parseTags(input);
    if (input.has('CustomKeyStoreId') || input.has('XksKeyId')) throw unsupported('The local KMS has no custom key stores.');
    if (origin !== 'AWS_KMS') throw unsupported(`The local KMS only creates keys with Origin AWS_KMS (not ${origin}).`);
    if (spec !== undefined && legacySpec !== undefined) {
      throw validation('KeySpec and CustomerMasterKeySpec cannot both be given; CustomerMasterKeySpec is deprecated, use KeySpec.');
    }
    const keySpec = spec ?? legacySpec ?? 'SYMMETRIC_DEFAULT';
    if (usage === undefined && keySpec !== 'SYMMETRIC_DEFAULT') {
      throw validation(`KeyUsage is required for every KMS key except symmetric encryption keys (KeySpec ${keySpec}).`);
    }
    const keyUsage = usage ?? 'ENCRYPT_DECRYPT';
    if (!usageAllowed(keySpec, keyUsage)) throw validation(`KeyUsage ${keyUsage} is not compatible with KeySpec ${keySpec}`);
    const multiRegion = input.optBoolean('MultiRegion') === true;
    const key = ctx.engine.createKey({ description, keySpec, keyUsage, keyManager: 'CUSTOMER', tags: tags ?? [], policy, multiRegion });
    ctx.note.keyArn = arn(ctx, key);
    ctx.engine.save();
    return { KeyMetadata: ctx.engine.metadata(key) };
  },

  DescribeKey(input, ctx) {
    const key = useKey(ctx, input.string('KeyId', { max: KEY_ID_MAX }), true);
    input.optStringList('GrantTokens', { max: 10 });
    return { KeyMetadata: ctx.engine.metadata(key) };
  },

  ListKeys(input, ctx) {
    const limit = input.optInteger('Limit', { min: 1, max: 1000 }) ?? 100;
    const marker = input.optString('Marker', { max: 1024 });
    const keys = [...ctx.engine.keys.values()];
    const result = page(keys, (k) => `${String(k.createdAt).padStart(16, '0')}/${k.keyId}`, limit, marker);
    return paged('Keys', result, (k) => ({ KeyId: k.keyId, KeyArn: arn(ctx, k) }));
  },

  UpdateKeyDescription(input, ctx) {
    const key = useKey(ctx, input.string('KeyId', { max: KEY_ID_MAX }), false);
    const description = input.optString('Description', { min: 0, max: 8192 });
    if (description === undefined) throw validation("1 validation error detected: Value null at 'description' failed to satisfy constraint: Member must not be null");
    requireCustomerManaged(ctx, key, 'UpdateKeyDescription');
    requireNotPendingDeletion(ctx, key);
    key.description = description;
    ctx.engine.save();
    return {};
  },

  CreateAlias(input, ctx) {
    const name = input.string('AliasName', { max: 256 });
    const target = input.string('TargetKeyId', { max: KEY_ID_MAX });
    checkAliasName(name);
    rejectAliasTarget(target);
    const key = useKey(ctx, target, false);
    if (ctx.engine.aliases.has(name)) {
      throw new KmsError('AlreadyExistsException', `An alias with the name ${ctx.engine.aliasArn(name)} already exists`);
    }
    requireNotPendingDeletion(ctx, key);
    const now = ctx.engine.now();
    ctx.engine.aliases.set(name, { name, targetKeyId: key.keyId, createdAt: now, updatedAt: now });
    ctx.engine.save();
    return {};
  },

  UpdateAlias(input, ctx) {
    const name = input.string('AliasName', { max: 256 });
    const target = input.string('TargetKeyId', { max: KEY_ID_MAX });
    checkAliasName(name);
    rejectAliasTarget(target);
    const alias = ctx.engine.aliases.get(name);
    if (alias === undefined) throw notFound(`Alias ${ctx.engine.aliasArn(name)} is not found.`);
    const key = useKey(ctx, target, false);
    requireNotPendingDeletion(ctx, key);
    const current = ctx.engine.keys.get(alias.targetKeyId);
    if (current !== undefined && (keyKind(current.keySpec) !== keyKind(key.keySpec) || current.keyUsage !== key.keyUsage)) {
      throw validation(
        `${ctx.engine.aliasArn(name)} points to a ${keyKind(current.keySpec)} ${current.keyUsage} key; it can only move to a key of the same type and key usage.`,
      );
    }
    alias.targetKeyId = key.keyId;
    alias.updatedAt = ctx.engine.now();
    ctx.engine.save();
    return {};
  },

  DeleteAlias(input, ctx) {
    const name = input.string('AliasName', { max: 256 });
    checkAliasName(name);
    if (!ctx.engine.aliases.delete(name)) throw notFound(`Alias ${ctx.engine.aliasArn(name)} is not found.`);
    ctx.engine.save();
    return {};
  },

  ListAliases(input, ctx) {
    const ref = input.optString('KeyId', { max: KEY_ID_MAX });
    const limit = input.optInteger('Limit', { min: 1, max: 100 }) ?? 50;
    const marker = input.optString('Marker', { max: 1024 });
    const key = ref === undefined ? undefined : useKey(ctx, ref, false);
    const aliases = [...ctx.engine.aliases.values()].filter((a) => key === undefined || a.targetKeyId === key.keyId);
    return paged('Aliases', page(aliases, (a) => a.name, limit, marker), (a) => ({
      AliasName: a.name,
      AliasArn: ctx.engine.aliasArn(a.name),
      TargetKeyId: a.targetKeyId,
      CreationDate: seconds(a.createdAt),
      LastUpdatedDate: seconds(a.updatedAt),
    }));
  },

  Encrypt(input, ctx) {
    const ref = input.string('KeyId', { max: KEY_ID_MAX });
    const plaintext = input.blob('Plaintext', { min: 1, max: PLAINTEXT_MAX });
    const context = input.context('EncryptionContext');
    input.optStringList('GrantTokens', { max: 10 });
    const algorithm = input.optEnum('EncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
    const key = useKey(ctx, ref, true);
    requireEnabled(ctx, key);
    requireEncryption(ctx, key, 'Encrypt', algorithm);
    checkDryRun(input);
    const { blob } = encryptUnder(key, plaintext, context);
    return { CiphertextBlob: b64(blob), KeyId: arn(ctx, key), EncryptionAlgorithm: algorithm };
  },

  Decrypt(input, ctx) {
    const blob = input.blob('CiphertextBlob', { min: 1, max: CIPHERTEXT_MAX });
    const context = input.context('EncryptionContext');
    const ref = input.optString('KeyId', { max: KEY_ID_MAX });
    input.optStringList('GrantTokens', { max: 10 });
    const algorithm = input.optEnum('EncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
    rejectRecipient(input);
    const { key, plaintext, material: m } = decryptBlob(ctx, blob, context, ref, algorithm, 'Decrypt');
    checkDryRun(input);
    return { KeyId: arn(ctx, key), Plaintext: b64(plaintext), EncryptionAlgorithm: algorithm, KeyMaterialId: m.id };
  },

  ReEncrypt(input, ctx) {
    const blob = input.blob('CiphertextBlob', { min: 1, max: CIPHERTEXT_MAX });
    const sourceContext = input.context('SourceEncryptionContext');
    const sourceRef = input.optString('SourceKeyId', { max: KEY_ID_MAX });
    const destinationRef = input.string('DestinationKeyId', { max: KEY_ID_MAX });
    const destinationContext = input.context('DestinationEncryptionContext');
    const sourceAlgorithm = input.optEnum('SourceEncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
    const destinationAlgorithm = input.optEnum('DestinationEncryptionAlgorithm', ENCRYPTION_ALGORITHMS) ?? 'SYMMETRIC_DEFAULT';
    input.optStringList('GrantTokens', { max: 10 });
    const source = decryptBlob(ctx, blob, sourceContext, sourceRef, sourceAlgorithm, 'ReEncryptFrom');
    const destination = useKey(ctx, destinationRef, true);
    requireEnabled(ctx, destination);
    requireEncryption(ctx, destination, 'ReEncryptTo', destinationAlgorithm);
    checkDryRun(input);
    const { blob: out, material: m } = encryptUnder(destination, source.plaintext, destinationContext);
    return {
      CiphertextBlob: b64(out),
      SourceKeyId: arn(ctx, source.key),
      KeyId: arn(ctx, destination),
      SourceEncryptionAlgorithm: sourceAlgorithm,
      DestinationEncryptionAlgorithm: destinationAlgorithm,
      SourceKeyMaterialId: source.material.id,
      DestinationKeyMaterialId: m.id,
    };
  },

  GenerateDataKey: (input, ctx) => dataKey(input, ctx, 'GenerateDataKey', true),

  GenerateDataKeyWithoutPlaintext: (input, ctx) => dataKey(input, ctx, 'GenerateDataKeyWithoutPlaintext', false),

  GenerateRandom(input) {
    if (!input.has('NumberOfBytes')) throw validation('NumberOfBytes is required.');
    const n = input.optInteger('NumberOfBytes', { min: 1, max: 1024 }) ?? 0;
    if (input.has('CustomKeyStoreId')) throw unsupported('The local KMS has no custom key stores.');
    rejectRecipient(input);
    return { Plaintext: b64(randomBytes(n)) };
  },

  EnableKey: (input, ctx) => setEnabled(input, ctx, 'EnableKey', true),

  DisableKey: (input, ctx) => setEnabled(input, ctx, 'DisableKey', false),

  ScheduleKeyDeletion(input, ctx) {
    const ref = input.string('KeyId', { max: KEY_ID_MAX });
    const days = input.optInteger('PendingWindowInDays', { min: 7, max: 30 }) ?? 30;
    const key = useKey(ctx, ref, false);
    requireCustomerManaged(ctx, key, 'ScheduleKeyDeletion');
    requireNotPendingDeletion(ctx, key);
    key.keyState = 'PendingDeletion';
    key.deletionDate = ctx.engine.now() + days * DAY_MS;
    key.pendingWindowInDays = days;
    ctx.engine.save();
    return { KeyId: arn(ctx, key), DeletionDate: seconds(key.deletionDate), KeyState: key.keyState, PendingWindowInDays: days };
  },

  CancelKeyDeletion(input, ctx) {
    const key = useKey(ctx, input.string('KeyId', { max: KEY_ID_MAX }), false);
    requireCustomerManaged(ctx, key, 'CancelKeyDeletion');
    if (key.keyState !== 'PendingDeletion') throw new KmsError('KMSInvalidStateException', `${arn(ctx, key)} is not pending deletion.`);
    key.keyState = 'Disabled';
    delete key.deletionDate;
    delete key.pendingWindowInDays;
    ctx.engine.save();
    return { KeyId: arn(ctx, key) };
  },

  EnableKeyRotation(input, ctx) {
    const days = input.optInteger('RotationPeriodInDays', { min: 90, max: 2560 }) ?? DEFAULT_ROTATION_DAYS;
    const key = rotationTarget(input, ctx, 'EnableKeyRotation');
    key.rotationEnabled = true;
    key.rotationPeriodInDays = days;
    key.nextRotationDate = ctx.engine.now() + days * DAY_MS;
    ctx.engine.save();
    return {};
  },

  DisableKeyRotation(input, ctx) {
    const key = rotationTarget(input, ctx, 'DisableKeyRotation');
    key.rotationEnabled = false;
    delete key.rotationPeriodInDays;
    delete key.nextRotationDate;
    ctx.engine.save();
    return {};
  },

  GetKeyRotationStatus(input, ctx) {
    const key = useKey(ctx, input.string('KeyId', { max: KEY_ID_MAX }), false);
    const enabled = key.rotationEnabled && key.keySpec === 'SYMMETRIC_DEFAULT';
    return {
      KeyRotationEnabled: enabled,
      KeyId: arn(ctx, key),
      ...(enabled && key.rotationPeriodInDays !== undefined ? { RotationPeriodInDays: key.rotationPeriodInDays } : {}),
      ...(enabled && key.nextRotationDate !== undefined ? { NextRotationDate: seconds(key.nextRotationDate) } : {}),
    };
  },

  RotateKeyOnDemand(input, ctx) {
    const key = rotationTarget(input, ctx, 'RotateKeyOnDemand');
    if (key.materials.filter((m) => m.rotationType === 'ON_DEMAND').length >= MAX_ON_DEMAND_ROTATIONS) {
      throw new KmsError(
        'LimitExceededException',
        `${arn(ctx, key)} has had ${MAX_ON_DEMAND_ROTATIONS} on-demand rotations, the most AWS allows.`,
      );
    }
    ctx.engine.addMaterial(key, 'ON_DEMAND');
    ctx.engine.save();
    return { KeyId: arn(ctx, key) };
  },

  ListKeyRotations(input, ctx) {
    const key = useKey(ctx, input.string('KeyId', { max: KEY_ID_MAX }), false);
    const include = input.optEnum('IncludeKeyMaterial', ['ALL_KEY_MATERIAL', 'ROTATIONS_ONLY'] as const) ?? 'ROTATIONS_ONLY';
    const limit = input.optInteger('Limit', { min: 1, max: 1000 }) ?? 100;
    const marker = input.optString('Marker', { max: 1024 });
    if (key.keySpec !== 'SYMMETRIC_DEFAULT') throw unsupported(`${arn(ctx, key)} has key spec ${key.keySpec}, which has no rotations.`);
    const current = key.materials.at(-1);
    const materials = key.materials.filter((m) => include === 'ALL_KEY_MATERIAL' || m.rotationType !== undefined);
    return paged('Rotations', page(materials, (m) => String(m.version).padStart(10, '0'), limit, marker), (m) => ({
      KeyId: arn(ctx, key),
      KeyMaterialId: m.id,
      KeyMaterialState: m === current ? 'CURRENT' : 'NON_CURRENT',
      ...(m.rotationType === undefined ? {} : { RotationDate: seconds(m.createdAt), RotationType: m.rotationType }),
    }));
  },

  TagResource(input, ctx) {
    const key = useKey(ctx, input.string('KeyId', { max: KEY_ID_MAX }), false);
    const tags = parseTags(input);
    if (tags === undefined) throw validation("1 validation error detected: Value null at 'tags' failed to satisfy constraint: Member must not be null");
    requireCustomerManaged(ctx, key, 'TagResource');
    requireNotPendingDeletion(ctx, key);
    const merged = new Map(key.tags.map((t) => [t.key, t.value]));
    for (const t of tags) merged.set(t.key, t.value);
    if (merged.size > MAX_TAGS) throw tagException('Too many tags');
    key.tags = [...merged].map(([k, value]) => ({ key: k, value }));
    ctx.engine.save();
    return {};
  },

  UntagResource(input, ctx) {
    const key = useKey(ctx, input.string('KeyId', { max: KEY_ID_MAX }), false);
    const tagKeys = input.optStringList('TagKeys', { itemMin: 1, itemMax: 128 });
    if (tagKeys === undefined) throw validation("1 validation error detected: Value null at 'tagKeys' failed to satisfy constraint: Member must not be null");
    requireCustomerManaged(ctx, key, 'UntagResource');
    requireNotPendingDeletion(ctx, key);
    key.tags = key.tags.filter((t) => !tagKeys.includes(t.key));
    ctx.engine.save();
    return {};
  },

  ListResourceTags(input, ctx) {
    const key = useKey(ctx, input.string('KeyId', { max: KEY_ID_MAX }), false);
    const limit = input.optInteger('Limit', { min: 1, max: 50 }) ?? 50;
    const marker = input.optString('Marker', { max: 1024 });
    return paged('Tags', page(key.tags, (t) => t.key, limit, marker), (t) => ({ TagKey: t.key, TagValue: t.value }));
  },
};
