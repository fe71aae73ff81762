import { randomBytes, randomUUID } from 'node:crypto';
import { isKeyId } from './ciphertext.js';
import { KmsError, notFound } from './errors.js';
import { algorithmsMetadata, CUSTOMER_MASTER_KEY_SPECS, type KeySpec } from './specs.js';
import type { AliasRecord, KeyManager, KeyRecord, KmsState, MaterialRecord, RotationType } from './state.js';

export const DAY_MS = 86_400_000;
export const DEFAULT_ROTATION_DAYS = 365;
/** AWS allows ten on-demand rotations per key. */
export const MAX_ON_DEMAND_ROTATIONS = 10;


/** The AWS managed keys the local KMS can create, with the descriptions AWS gives them. */
export const AWS_MANAGED_KEY_DESCRIPTIONS: Readonly<Record<string, string>> = {
  dynamodb: 'Default key that protects my DynamoDB tables when no other key is defined',
  s3: 'Default key that protects my S3 objects when no other key is defined',
  ebs: 'Default key that protects my EBS volumes when no other key is defined',
  rds: 'Default key that protects my RDS database volumes when no other key is defined',
  lambda: 'Default key that protects my Lambda functions when no other key is defined',
  secretsmanager: 'Default key that protects my Secrets Manager data when no other key is defined',
};

export interface EngineOptions {
  readonly region: string;
  readonly accountId: string;
  /** Current time, epoch ms. */
  readonly clock: () => number;
  readonly state?: KmsState | undefined;
  /** Called with the whole state after every change. */
  readonly persist?: ((state: KmsState) => void) | undefined;
}

export interface NewKey {
  readonly description: string;
  readonly keySpec: string;
  readonly keyUsage: string;
  readonly keyManager: KeyManager;
  readonly tags?: readonly { key: string; value: string }[];
  readonly policy?: string | undefined;
  readonly awsService?: string;
  /** A multi-Region primary key (`mrk-` id). */
  readonly multiRegion?: boolean;
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** Keys, aliases, time and persistence of one local KMS (one account, one region). */
export class KmsEngine {
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  readonly keys = new Map<string, KeyRecord>();
  readonly aliases = new Map<string, AliasRecord>();
  readonly deletedKeyIds = new Set<string>();
  private readonly clock: () => number;
  private readonly persist: ((state: KmsState) => void) | undefined;

  constructor(options: EngineOptions) {
    this.region = options.region;
    this.accountId = options.accountId;
    this.partition = partitionOf(options.region);
    this.clock = options.clock;
    this.persist = options.persist;
    for (const key of options.state?.keys ?? []) this.keys.set(key.keyId, key);
    for (const alias of options.state?.aliases ?? []) this.aliases.set(alias.name, alias);
    for (const id of options.state?.deletedKeyIds ?? []) this.deletedKeyIds.add(id);
  }

  now(): number {
    return this.clock();
  }

  keyArn(keyId: string): string {
    return `arn:${this.partition}:kms:${this.region}:${this.accountId}:key/${keyId}`;
  }

  aliasArn(name: string): string {
    return `arn:${this.partition}:kms:${this.region}:${this.accountId}:${name}`;
  }

  snapshot(): KmsState {
    return {
      region: this.region,
      accountId: this.accountId,
      keys: [...this.keys.values()],
      aliases: [...this.aliases.values()],
      deletedKeyIds: [...this.deletedKeyIds],
    };
  }

  /** Persists the state (when a data directory is configured). Call after every change. */
  save(): void {
    this.persist?.(this.snapshot());
  }

  /**
   * Lets time act: keys whose deletion date has passed are deleted (with their aliases),
   * enabled keys with automatic rotation due get new key material.
   */
  tick(): void {
    const now = this.now();
    let changed = false;
    for (const key of [...this.keys.values()]) {
      if (key.keyState === 'PendingDeletion' && key.deletionDate !== undefined && key.deletionDate <= now) {
        this.keys.delete(key.keyId);
        for (const alias of [...this.aliases.values()]) if (alias.targetKeyId === key.keyId) this.aliases.delete(alias.name);
        this.deletedKeyIds.add(key.keyId);
        changed = true;
        continue;
      }
      if (key.keyState !== 'Enabled' || !key.rotationEnabled || key.nextRotationDate === undefined) continue;
      if (key.nextRotationDate > now || key.materials.length === 0) continue;
      const period = (key.rotationPeriodInDays ?? DEFAULT_ROTATION_DAYS) * DAY_MS;
      let next = key.nextRotationDate;
      for (let i = 0; next <= now && i < 100; i++) {
        this.addMaterial(key, 'AUTOMATIC', next);
        next += period;
      }
      key.nextRotationDate = next <= now ? now + period : next;
      changed = true;
    }
    if (changed) this.save();
  }

  /**
   * Finds a key from a key id, key ARN and — when `allowAlias` — an alias name or alias ARN.
   * Referencing `alias/aws/<service>` creates that AWS managed key on first use, like AWS.
   */
  resolve(ref: string, allowAlias: boolean): KeyRecord {
    let keyId: string;
    let aliasName: string | undefined;
    if (ref.startsWith('arn:')) {
      const parts = ref.split(':');
      const resource = parts.slice(5).join(':');
      if (parts.length < 6 || parts[2] !== 'kms') throw notFound(`Invalid arn ${ref}`);
      if (parts[1] !== this.partition || parts[3] !== this.region) throw notFound(`Invalid arn ${parts[3] ?? ''}`);
      if (parts[4] !== this.accountId) throw notFound(`Invalid arn: ${ref} is in another account`);
      if (resource.startsWith('alias/')) {
        if (!allowAlias) throw notFound(`Invalid keyId '${ref}'`);
        aliasName = resource;
        keyId = '';
      } else if (resource.startsWith('key/')) {
        keyId = resource.slice('key/'.length);
      } else {
        throw notFound(`Invalid arn ${ref}`);
      }
    } else if (ref.startsWith('alias/')) {
      if (!allowAlias) throw notFound(`Invalid keyId '${ref}'`);
      aliasName = ref;
      keyId = '';
    } else {
      keyId = ref;
    }
    if (aliasName !== undefined) {
      const service = /^alias\/aws\/([^/]+)$/.exec(aliasName)?.[1];
      if (service !== undefined && !this.aliases.has(aliasName) && service in AWS_MANAGED_KEY_DESCRIPTIONS) {
        return this.awsManagedKey(service);
      }
      const alias = this.aliases.get(aliasName);
      if (alias === undefined) throw notFound(`Alias ${this.aliasArn(aliasName)} is not found.`);
      keyId = alias.targetKeyId;
    }
    if (!isKeyId(keyId.toLowerCase())) throw notFound(`Invalid keyId '${keyId}'`);
    const key = this.keys.get(keyId.toLowerCase());
    if (key === undefined) throw notFound(`Key '${this.keyArn(keyId)}' does not exist`);
    return key;
  }

  /** Like `resolve`, but never creates anything and returns undefined instead of throwing. */
  peek(ref: string): KeyRecord | undefined {
    let keyId = ref;
    if (ref.startsWith('arn:')) {
      const prefix = `arn:${this.partition}:kms:${this.region}:${this.accountId}:`;
      if (!ref.startsWith(prefix)) return undefined;
      keyId = ref.slice(prefix.length);
      if (keyId.startsWith('key/')) keyId = keyId.slice('key/'.length);
    }
    if (keyId.startsWith('alias/')) {
      const alias = this.aliases.get(keyId);
      if (alias === undefined) return undefined;
      keyId = alias.targetKeyId;
    }
    return this.keys.get(keyId.toLowerCase());
  }

  /** The AWS managed key of `alias/aws/<service>`, created (with its alias) on first use. */
  awsManagedKey(service: string): KeyRecord {
    const description = AWS_MANAGED_KEY_DESCRIPTIONS[service];
    if (description === undefined) {
      throw new KmsError(
        'NotFoundException',
        `The local KMS has no AWS managed key for "${service}" (known: ${Object.keys(AWS_MANAGED_KEY_DESCRIPTIONS).join(', ')}).`,
      );
    }
    const name = `alias/aws/${service}`;
    const existing = this.aliases.get(name);
    const existingKey = existing && this.keys.get(existing.targetKeyId);
    if (existingKey !== undefined) return existingKey;
    const key = this.createKey({
      description,
      keySpec: 'SYMMETRIC_DEFAULT',
      keyUsage: 'ENCRYPT_DECRYPT',
      keyManager: 'AWS',
      awsService: service,
    });
    key.rotationEnabled = true;
    key.rotationPeriodInDays = DEFAULT_ROTATION_DAYS;
    key.nextRotationDate = key.createdAt + DEFAULT_ROTATION_DAYS * DAY_MS;
    this.aliases.set(name, { name, targetKeyId: key.keyId, createdAt: key.createdAt, updatedAt: key.createdAt });
    this.save();
    return key;
  }

  /** Creates a key (the caller saves). Symmetric keys get their first 32-byte backing key. */
  createKey(spec: NewKey): KeyRecord {
    const key: KeyRecord = {
      keyId: spec.multiRegion === true ? `mrk-${randomBytes(16).toString('hex')}` : randomUUID(),
      createdAt: this.now(),
      description: spec.description,
      keyUsage: spec.keyUsage,
      keySpec: spec.keySpec,
      keyManager: spec.keyManager,
      keyState: 'Enabled',
      rotationEnabled: false,
      materials: [],
      tags: (spec.tags ?? []).map((t) => ({ ...t })),
    };
    if (spec.policy !== undefined) key.policy = spec.policy;
    if (spec.awsService !== undefined) key.awsService = spec.awsService;
    if (spec.multiRegion === true) key.primaryRegion = this.region;
    if (spec.keySpec === 'SYMMETRIC_DEFAULT') this.addMaterial(key, undefined, key.createdAt);
    this.keys.set(key.keyId, key);
    return key;
  }

  addMaterial(key: KeyRecord, rotationType: RotationType | undefined, at = this.now()): MaterialRecord {
    const material: MaterialRecord = {
      version: (key.materials.at(-1)?.version ?? 0) + 1,
      id: randomBytes(32).toString('hex'),
      key: randomBytes(32).toString('base64'),
      createdAt: at,
    };
    if (rotationType !== undefined) material.rotationType = rotationType;
    key.materials.push(material);
    return material;
  }

  /** KeyMetadata as AWS KMS returns it (timestamps in epoch seconds). */
  metadata(key: KeyRecord): Record<string, unknown> {
    const current = key.materials.at(-1);
    return {
      AWSAccountId: this.accountId,
      KeyId: key.keyId,
      Arn: this.keyArn(key.keyId),
      CreationDate: key.createdAt / 1000,
      Enabled: key.keyState === 'Enabled',
      Description: key.description,
      KeyUsage: key.keyUsage,
      KeyState: key.keyState,
      ...(key.keyState === 'PendingDeletion' && key.deletionDate !== undefined ? { DeletionDate: key.deletionDate / 1000 } : {}),
      Origin: 'AWS_KMS',
      KeyManager: key.keyManager,
      ...(CUSTOMER_MASTER_KEY_SPECS.includes(key.keySpec as KeySpec) ? { CustomerMasterKeySpec: key.keySpec } : {}),
      KeySpec: key.keySpec,
      ...algorithmsMetadata(key.keySpec, key.keyUsage),
      MultiRegion: key.primaryRegion !== undefined,
      ...(key.primaryRegion === undefined
        ? {}
        : {
            MultiRegionConfiguration: {
              MultiRegionKeyType: key.primaryRegion === this.region ? 'PRIMARY' : 'REPLICA',
              PrimaryKey: { Arn: `arn:${this.partition}:kms:${key.primaryRegion}:${this.accountId}:key/${key.keyId}`, Region: key.primaryRegion },
            },
          }),
      ...(current === undefined ? {} : { CurrentKeyMaterialId: current.id }),
    };
  }

  /**
   * Adds a replica of a multi-Region key of another local KMS (another region, same account
   * and partition): same key id, same key material, its own state from now on.
   */
  addReplica(primary: KeyRecord, primaryEngine: KmsEngine): KeyRecord {
    if (primary.primaryRegion === undefined) throw new KmsError('UnsupportedOperationException', `${primaryEngine.keyArn(primary.keyId)} is not a multi-Region key.`);
    if (primaryEngine.region === this.region) throw new KmsError('ValidationException', `The replica region must differ from ${primaryEngine.region}.`);
    if (primaryEngine.accountId !== this.accountId || primaryEngine.partition !== this.partition) {
      throw new KmsError('ValidationException', 'A replica must be in the same account and partition as its primary key.');
    }
    if (this.keys.has(primary.keyId)) throw new KmsError('AlreadyExistsException', `${this.keyArn(primary.keyId)} already exists.`);
    const replica = structuredClone(primary);
    replica.createdAt = this.now();
    this.keys.set(replica.keyId, replica);
    this.save();
    return replica;
  }
}
