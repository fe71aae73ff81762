/**
 * Local AWS KMS for development and tests — not a secure key store (backing keys sit in
 * memory and, with `dataDir`, base64 in `kms.json`).
 *
 * Protocol: AWS JSON 1.1 (`POST /`, `X-Amz-Target: TrentService.<Operation>`), binary members
 * base64, timestamps epoch seconds, errors HTTP 400 `{"__type", "message"}` (500 for internal
 * errors). SigV4 is not checked. Implemented operations: CreateKey, DescribeKey, ListKeys,
 * UpdateKeyDescription, CreateAlias, UpdateAlias, DeleteAlias, ListAliases, Encrypt, Decrypt,
 * ReEncrypt, GenerateDataKey, GenerateDataKeyWithoutPlaintext, GenerateRandom, EnableKey,
 * DisableKey, ScheduleKeyDeletion, CancelKeyDeletion, EnableKeyRotation, DisableKeyRotation,
 * GetKeyRotationStatus, RotateKeyOnDemand, ListKeyRotations, TagResource, UntagResource,
 * ListResourceTags. Anything else: UnknownOperationException.
 *
 * Choices where AWS is private or not emulated:
 * - Only SYMMETRIC_DEFAULT keys do cryptography (AES-256-GCM, blob format in ciphertext.ts).
 *   Other key specs are created as metadata; Encrypt with SYMMETRIC_DEFAULT on them is
 *   InvalidKeyUsageException like AWS, with an RSA/SM2 algorithm UnsupportedOperationException.
 * - Operations that AWS documents as "key ID or key ARN" answer NotFoundException
 *   ("Invalid keyId") for alias names and alias ARNs; CreateAlias/UpdateAlias TargetKeyId
 *   given as an alias is ValidationException. `alias/aws/...` names: NotAuthorizedException.
 * - AWS managed keys (`alias/aws/<service>`, created on first reference) can be used for
 *   crypto directly (kms:ViaService is not enforced) but not managed: DisableKey, tagging,
 *   deletion, rotation changes… answer AccessDeniedException, as their key policy would.
 * - Decrypt of a ciphertext whose key was deleted (deletion date passed) is NotFoundException;
 *   a blob naming a key this KMS never had is InvalidCiphertextException.
 * - Rotation happens immediately (on demand) or when the clock passes NextRotationDate
 *   (automatic), never while a key is disabled; every old key material version keeps decrypting.
 * - One process per dataDir: two local KMSes sharing a directory overwrite each other's state.
 * - One region per local KMS. Multi-Region keys (`CreateKey` with `MultiRegion: true`, `mrk-`
 *   ids) are replicated in-process, `primary.replicateKey(keyId, replicaKms)`, not by
 *   ReplicateKey; a replica starts with the primary's key material and then lives on its own
 *   (rotating one does not rotate the other).
 */
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { close, listen, type LocalService } from '../service.js';
import { KmsEngine } from './engine.js';
import { kmsListener, type KmsRequestRecord } from './http.js';
import { loadState, saveState, STATE_FILE_NAME, type KeyRecord } from './state.js';

export type { KmsRequestRecord } from './http.js';

export interface LocalKmsOptions {
  /** Port on 127.0.0.1; 0 (default) picks a free one. */
  readonly port?: number;
  /**
   * Directory for the state file `kms.json` (keys, backing key material in base64, aliases,
   * tags, states). Omit to keep everything in memory. The local KMS is for development and
   * tests: the file is not a secure key store.
   */
  readonly dataDir?: string;
  /** Default `us-east-1` (or the region recorded in an existing state file). */
  readonly region?: string;
  /** 12 digits; default `111122223333` (or the account recorded in an existing state file). */
  readonly accountId?: string;
  /** Delay every response by this many ms (default 0). */
  readonly latencyMs?: number;
  /** Answer every N-th call with ThrottlingException (HTTP 400, retryable); 0 (default) never. */
  readonly throttleEvery?: number;
  /** The clock (default: the system clock). `advanceTime` moves it further. */
  readonly now?: () => Date;
}

export interface KmsFaults {
  readonly latencyMs?: number;
  readonly throttleEvery?: number;
}

export type LocalKmsKeyState = 'Enabled' | 'Disabled' | 'PendingDeletion';

/** A key as seen in-process (no HTTP round trip). */
export interface LocalKmsKeyInfo {
  readonly keyId: string;
  readonly arn: string;
  readonly keyState: LocalKmsKeyState;
  readonly enabled: boolean;
  readonly keyManager: 'CUSTOMER' | 'AWS';
  readonly keySpec: string;
  readonly keyUsage: string;
  readonly description: string;
  readonly creationDate: Date;
  /** Set while the key is PendingDeletion. */
  readonly deletionDate?: Date;
  readonly rotationEnabled: boolean;
  /** Alias names pointing at the key. */
  readonly aliases: readonly string[];
}

/** A local AWS KMS (JSON 1.1 protocol, `TrentService`) on 127.0.0.1. */
export interface LocalKms extends LocalService {
  readonly region: string;
  readonly accountId: string;
  /** The state file, or undefined in memory mode. */
  readonly stateFile: string | undefined;
  /** Every call received since start or the last `resetRequests()`, oldest first. */
  readonly requests: readonly KmsRequestRecord[];
  resetRequests(): void;
  /** Current fault injection settings. */
  readonly faults: Readonly<Required<KmsFaults>>;
  /** Changes fault injection; omitted members stay as they are. Setting `throttleEvery` restarts its count. */
  setFaults(faults: KmsFaults): void;
  /** The local KMS clock. */
  now(): Date;
  /** Moves the clock forward; keys whose deletion date passes are deleted, due rotations happen. */
  advanceTime(ms: number): void;
  /** The AWS managed key `alias/aws/<service>` (e.g. `dynamodb`), created on first use. */
  awsManagedKey(service: string): LocalKmsKeyInfo;
  /**
   * The state of a key given by key id, key ARN, alias name or alias ARN: undefined when unknown,
   * `'Deleted'` once its deletion date has passed. Never creates AWS managed keys.
   */
  keyState(keyRef: string): LocalKmsKeyState | 'Deleted' | undefined;
  /** In-process DescribeKey; undefined when the key is unknown or deleted. Never creates AWS managed keys. */
  describeKey(keyRef: string): LocalKmsKeyInfo | undefined;
  /**
   * Replicates a multi-Region key of this local KMS into `replica`, another local KMS of the
   * same account in another region (see the module notes). Returns the replica.
   */
  replicateKey(keyRef: string, replica: LocalKms): LocalKmsKeyInfo;
}

/** The engine behind each local KMS of this process, for in-process replication. */
const engines = new WeakMap<LocalKms, KmsEngine>();

export const DEFAULT_KMS_REGION = 'us-east-1';
export const DEFAULT_KMS_ACCOUNT_ID = '111122223333';

function checkFaults(faults: KmsFaults): void {
  const { latencyMs, throttleEvery } = faults;
  if (latencyMs !== undefined && !(Number.isFinite(latencyMs) && latencyMs >= 0)) {
    throw new RangeError(`local KMS: latencyMs must be a number >= 0 (got ${String(latencyMs)})`);
  }
  if (throttleEvery !== undefined && !(Number.isInteger(throttleEvery) && throttleEvery >= 0)) {
    throw new RangeError(`local KMS: throttleEvery must be an integer >= 0 (got ${String(throttleEvery)})`);
  }
}

/**
 * Starts a local AWS KMS on 127.0.0.1 that the unmodified `@aws-sdk/client-kms` can use via
 * `endpoint`. Signatures are not checked. Rejects when the state file in `dataDir` cannot be
 * read or is not valid (the file is then left untouched).
 */
export async function startLocalKms(options: LocalKmsOptions = {}): Promise<LocalKms> {
  checkFaults(options);
  if (options.region !== undefined && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(options.region)) {
    throw new RangeError(`local KMS: region ${JSON.stringify(options.region)} is not a region name like us-east-1`);
  }
  if (options.accountId !== undefined && !/^\d{12}$/.test(options.accountId)) {
    throw new RangeError(`local KMS: accountId must be 12 digits (got ${JSON.stringify(options.accountId)})`);
  }

  let stateFile: string | undefined;
  let state;
  if (options.dataDir !== undefined) {
    mkdirSync(options.dataDir, { recursive: true });
    stateFile = join(options.dataDir, STATE_FILE_NAME);
    state = loadState(stateFile);
    for (const field of ['region', 'accountId'] as const) {
      const wanted = options[field];
      if (state !== undefined && wanted !== undefined && state[field] !== wanted) {
        throw new Error(
          `local KMS: ${stateFile} holds the keys of ${field} ${state[field]}, not ${wanted}; use another dataDir or the same ${field}.`,
        );
      }
    }
  }

  let offset = 0;
  const baseClock = options.now ?? ((): Date => new Date());
  const file = stateFile;
  const engine = new KmsEngine({
    region: state?.region ?? options.region ?? DEFAULT_KMS_REGION,
    accountId: state?.accountId ?? options.accountId ?? DEFAULT_KMS_ACCOUNT_ID,
    clock: () => baseClock().getTime() + offset,
    state,
    persist: file === undefined ? undefined : (s) => {
      saveState(file, s);
    },
  });

  let faults = { latencyMs: options.latencyMs ?? 0, throttleEvery: options.throttleEvery ?? 0 };
  let calls = 0;
  const requests: KmsRequestRecord[] = [];

  const server = createServer(
    kmsListener({
      engine,
      latencyMs: () => faults.latencyMs,
      throttleNow: () => {
        calls += 1;
        return faults.throttleEvery > 0 && calls % faults.throttleEvery === 0;
      },
      record: (entry) => requests.push(entry),
    }),
  );
  const port = await listen(server, options.port ?? 0);

  const info = (key: KeyRecord): LocalKmsKeyInfo => ({
    keyId: key.keyId,
    arn: engine.keyArn(key.keyId),
    keyState: key.keyState,
    enabled: key.keyState === 'Enabled',
    keyManager: key.keyManager,
    keySpec: key.keySpec,
    keyUsage: key.keyUsage,
    description: key.description,
    creationDate: new Date(key.createdAt),
    ...(key.deletionDate === undefined ? {} : { deletionDate: new Date(key.deletionDate) }),
    rotationEnabled: key.rotationEnabled,
    aliases: [...engine.aliases.values()].filter((a) => a.targetKeyId === key.keyId).map((a) => a.name),
  });

  let stopping: Promise<void> | undefined;
  const kms: LocalKms = {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    region: engine.region,
    accountId: engine.accountId,
    stateFile,
    requests,
    resetRequests: () => {
      requests.length = 0;
    },
    get faults() {
      return { ...faults };
    },
    setFaults: (next) => {
      checkFaults(next);
      faults = { latencyMs: next.latencyMs ?? faults.latencyMs, throttleEvery: next.throttleEvery ?? faults.throttleEvery };
      if (next.throttleEvery !== undefined) calls = 0;
    },
    now: () => new Date(engine.now()),
    advanceTime: (ms) => {
      if (!(Number.isFinite(ms) && ms >= 0)) throw new RangeError(`local KMS: advanceTime needs a number of ms >= 0 (got ${String(ms)})`);
      offset += ms;
      engine.tick();
    },
    awsManagedKey: (service) => {
      engine.tick();
      return info(engine.awsManagedKey(service));
    },
    keyState: (ref) => {
      engine.tick();
      const key = engine.peek(ref);
      if (key !== undefined) return key.keyState;
      const id = ref.startsWith('arn:') ? ref.slice(ref.lastIndexOf('/') + 1) : ref;
      return engine.deletedKeyIds.has(id.toLowerCase()) ? 'Deleted' : undefined;
    },
    describeKey: (ref) => {
      engine.tick();
      const key = engine.peek(ref);
      return key === undefined ? undefined : info(key);
    },
    replicateKey: (ref, replica) => {
      const key = engine.peek(ref);
      const target = engines.get(replica);
      if (key === undefined) throw new RangeError(`local KMS: no key ${ref}`);
      if (target === undefined) throw new RangeError('local KMS: replicateKey needs another local KMS of this process');
      const copy = target.addReplica(key, engine);
      return replica.describeKey(copy.keyId) as LocalKmsKeyInfo;
    },
    stop: () => (stopping ??= close(server)),
  };
  engines.set(kms, engine);
  return kms;
}
