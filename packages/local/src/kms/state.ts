import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../files.js';
import { isKeyId } from './ciphertext.js';

/*
 * The persisted state of the local KMS: one JSON document. Backing key material is stored
 * base64 in the clear — the local KMS is a development tool, not a secure key store.
 */

export const STATE_FILE_NAME = 'kms.json';
const FORMAT = 'ddbec-local-kms';
const WARNING = 'Development only: the key material in this file is NOT protected. Never use this KMS for real data.';

export type StoredKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';
export type KeyManager = 'CUSTOMER' | 'AWS';
export type RotationType = 'AUTOMATIC' | 'ON_DEMAND';

export interface MaterialRecord {
  /** 1, 2, … — written into every ciphertext blob. */
  version: number;
  /** 64 hex characters, reported as KeyMaterialId / CurrentKeyMaterialId. */
  id: string;
  /** 32 bytes, base64. */
  key: string;
  /** Epoch ms. */
  createdAt: number;
  /** How this version came to be; absent for the key's original material. */
  rotationType?: RotationType;
}

export interface KeyRecord {
  keyId: string;
  createdAt: number;
  description: string;
  keyUsage: string;
  keySpec: string;
  keyManager: KeyManager;
  keyState: StoredKeyState;
  /** Epoch ms; only while PendingDeletion. */
  deletionDate?: number;
  pendingWindowInDays?: number;
  rotationEnabled: boolean;
  rotationPeriodInDays?: number;
  /** Epoch ms of the next automatic rotation, while rotation is enabled. */
  nextRotationDate?: number;
  /** Oldest first; the last one is current. Empty for keys whose crypto is not emulated. */
  materials: MaterialRecord[];
  tags: { key: string; value: string }[];
  policy?: string;
  /** For AWS managed keys: the service in `alias/aws/<service>`. */
  awsService?: string;
  /** For multi-Region keys (`mrk-` ids): the region of the primary key. */
  primaryRegion?: string;
}

export interface AliasRecord {
  name: string;
  targetKeyId: string;
  createdAt: number;
  updatedAt: number;
}

export interface KmsState {
  region: string;
  accountId: string;
  keys: KeyRecord[];
  aliases: AliasRecord[];
  /** Keys whose deletion date passed: their ciphertexts now fail with NotFoundException. */
  deletedKeyIds: string[];
}

/** Writes the state atomically (see writeFileAtomic). */
export function saveState(file: string, state: KmsState): void {
  const text = `${JSON.stringify({ format: FORMAT, version: 1, warning: WARNING, ...state }, null, 2)}\n`;
  writeFileAtomic(file, text);
}

/**
 * Reads a state file. Returns undefined when there is none yet; throws a descriptive error
 * (and leaves the file alone) when it cannot be read or is not a valid local KMS state.
 */
export function loadState(file: string): KmsState | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw unusable(file, `it cannot be read (${(error as Error).message})`);
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (error) {
    throw unusable(file, `it is not valid JSON (${(error as Error).message})`);
  }
  try {
    return parseState(doc);
  } catch (error) {
    throw unusable(file, (error as Error).message);
  }
}

function unusable(file: string, reason: string): Error {
  return new Error(
    `local KMS: the state file ${file} is unusable: ${reason}. It was left untouched; repair or remove it, or start the local KMS with another dataDir.`,
  );
}

type Obj = Record<string, unknown>;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, at: string): Obj {
  if (!isObj(v)) throw new Error(`${at} is not an object`);
  return v;
}

function arr(v: unknown, at: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${at} is not an array`);
  return v;
}

function str(v: unknown, at: string): string {
  if (typeof v !== 'string') throw new Error(`${at} is not a string`);
  return v;
}

function num(v: unknown, at: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new Error(`${at} is not a number`);
  return v;
}

function optNum(v: unknown, at: string): number | undefined {
  return v === undefined ? undefined : num(v, at);
}

function oneOf<T extends string>(v: unknown, values: readonly T[], at: string): T {
  const s = str(v, at);
  if (!(values as readonly string[]).includes(s)) throw new Error(`${at} is ${JSON.stringify(s)}, not one of ${values.join(', ')}`);
  return s as T;
}

function parseState(doc: unknown): KmsState {
  const root = obj(doc, 'the document');
  if (root.format !== FORMAT) throw new Error(`"format" is not ${JSON.stringify(FORMAT)}`);
  if (root.version !== 1) throw new Error(`"version" ${JSON.stringify(root.version)} is not supported (expected 1)`);
  const keys = arr(root.keys, 'keys').map((k, i) => parseKey(k, `keys[${i}]`));
  const ids = new Set(keys.map((k) => k.keyId));
  if (ids.size !== keys.length) throw new Error('keys contains a key id twice');
  const aliases = arr(root.aliases, 'aliases').map((a, i): AliasRecord => {
    const at = `aliases[${i}]`;
    const o = obj(a, at);
    const alias: AliasRecord = {
      name: str(o.name, `${at}.name`),
      targetKeyId: str(o.targetKeyId, `${at}.targetKeyId`),
      createdAt: num(o.createdAt, `${at}.createdAt`),
      updatedAt: num(o.updatedAt, `${at}.updatedAt`),
    };
    if (!alias.name.startsWith('alias/')) throw new Error(`${at}.name does not start with alias/`);
    if (!ids.has(alias.targetKeyId)) throw new Error(`${at} targets the unknown key ${alias.targetKeyId}`);
    return alias;
  });
  return {
    region: str(root.region, 'region'),
    accountId: str(root.accountId, 'accountId'),
    keys,
    aliases,
    deletedKeyIds: arr(root.deletedKeyIds, 'deletedKeyIds').map((v, i) => str(v, `deletedKeyIds[${i}]`)),
  };
}

function parseKey(v: unknown, at: string): KeyRecord {
  const o = obj(v, at);
  const keyId = str(o.keyId, `${at}.keyId`);
  if (!isKeyId(keyId)) throw new Error(`${at}.keyId is not a UUID or mrk id`);
  const materials = arr(o.materials, `${at}.materials`).map((m, i): MaterialRecord => {
    const mat = `${at}.materials[${i}]`;
    const mo = obj(m, mat);
    const key = str(mo.key, `${mat}.key`);
    if (Buffer.from(key, 'base64').length !== 32) throw new Error(`${mat}.key is not 32 bytes of base64`);
    const record: MaterialRecord = {
      version: num(mo.version, `${mat}.version`),
      id: str(mo.id, `${mat}.id`),
      key,
      createdAt: num(mo.createdAt, `${mat}.createdAt`),
    };
    if (mo.rotationType !== undefined) record.rotationType = oneOf(mo.rotationType, ['AUTOMATIC', 'ON_DEMAND'] as const, `${mat}.rotationType`);
    return record;
  });
  const record: KeyRecord = {
    keyId,
    createdAt: num(o.createdAt, `${at}.createdAt`),
    description: str(o.description, `${at}.description`),
    keyUsage: str(o.keyUsage, `${at}.keyUsage`),
    keySpec: str(o.keySpec, `${at}.keySpec`),
    keyManager: oneOf(o.keyManager, ['CUSTOMER', 'AWS'] as const, `${at}.keyManager`),
    keyState: oneOf(o.keyState, ['Enabled', 'Disabled', 'PendingDeletion'] as const, `${at}.keyState`),
    rotationEnabled: o.rotationEnabled === true,
    materials,
    tags: arr(o.tags, `${at}.tags`).map((t, i) => {
      const to = obj(t, `${at}.tags[${i}]`);
      return { key: str(to.key, `${at}.tags[${i}].key`), value: str(to.value, `${at}.tags[${i}].value`) };
    }),
  };
  if (typeof o.rotationEnabled !== 'boolean') throw new Error(`${at}.rotationEnabled is not a boolean`);
  const deletionDate = optNum(o.deletionDate, `${at}.deletionDate`);
  if (deletionDate !== undefined) record.deletionDate = deletionDate;
  const window = optNum(o.pendingWindowInDays, `${at}.pendingWindowInDays`);
  if (window !== undefined) record.pendingWindowInDays = window;
  const period = optNum(o.rotationPeriodInDays, `${at}.rotationPeriodInDays`);
  if (period !== undefined) record.rotationPeriodInDays = period;
  const next = optNum(o.nextRotationDate, `${at}.nextRotationDate`);
  if (next !== undefined) record.nextRotationDate = next;
  if (o.policy !== undefined) record.policy = str(o.policy, `${at}.policy`);
  if (o.awsService !== undefined) record.awsService = str(o.awsService, `${at}.awsService`);
  if (o.primaryRegion !== undefined) record.primaryRegion = str(o.primaryRegion, `${at}.primaryRegion`);
  if ((record.primaryRegion !== undefined) !== keyId.startsWith('mrk-')) throw new Error(`${at}: only mrk keys have a primaryRegion, and every one has`);
  if (record.keySpec === 'SYMMETRIC_DEFAULT' && materials.length === 0) throw new Error(`${at} is a symmetric key without key material`);
  if (new Set(materials.map((m) => m.version)).size !== materials.length) throw new Error(`${at}.materials repeats a version`);
  if (record.keyState === 'PendingDeletion' && record.deletionDate === undefined) {
    throw new Error(`${at} is PendingDeletion without a deletionDate`);
  }
  return record;
}
