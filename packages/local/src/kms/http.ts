import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { KmsEngine } from './engine.js';
import { KmsError, serialization } from './errors.js';
import { Input } from './input.js';
import { OPERATIONS } from './operations.js';

/** One call the local KMS received (see `LocalKms.requests`). */
export interface KmsRequestRecord {
  /** The operation, e.g. `Encrypt` (from `X-Amz-Target: TrentService.Encrypt`). */
  readonly operation: string;
  /** The key identifier exactly as sent: `KeyId`, or `DestinationKeyId` (ReEncrypt), or `TargetKeyId` (CreateAlias, UpdateAlias). */
  readonly keyId?: string;
  /** ReEncrypt's `SourceKeyId`, as sent. */
  readonly sourceKeyId?: string;
  /** The ARN of the key the call resolved to — for Decrypt, the key named inside the ciphertext. */
  readonly keyArn?: string;
  readonly aliasName?: string;
  /** `EncryptionContext` as sent (`DestinationEncryptionContext` for ReEncrypt). */
  readonly encryptionContext?: Readonly<Record<string, string>>;
  /** ReEncrypt's `SourceEncryptionContext`. */
  readonly sourceEncryptionContext?: Readonly<Record<string, string>>;
  /** The exception name when the call failed (`ThrottlingException` for injected throttling). */
  readonly error?: string;
  /** When it arrived, by the local KMS clock. */
  readonly at: Date;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface HttpHooks {
  readonly engine: KmsEngine;
  /** Current injected latency. */
  latencyMs(): number;
  /** Counts the call; true when it must be throttled. */
  throttleNow(): boolean;
  record(entry: KmsRequestRecord): void;
}

const TARGET_PREFIX = 'TrentService.';
const MAX_BODY = 1024 * 1024;
const CONTENT_TYPE = 'application/x-amz-json-1.1';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY) chunks.push(chunk);
    });
    req.on('end', () => {
      if (size > MAX_BODY) reject(new KmsError('ValidationException', `Request body larger than ${MAX_BODY} bytes`));
      else resolve(Buffer.concat(chunks));
    });
    req.on('error', reject);
  });
}

function stringMap(value: unknown): Record<string, string> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}

function describe(operation: string, body: Record<string, unknown>, at: Date): Mutable<KmsRequestRecord> {
  const record: Mutable<KmsRequestRecord> = { operation, at };
  const str = (name: string): string | undefined => (typeof body[name] === 'string' ? body[name] : undefined);
  const keyId = str('KeyId') ?? str('DestinationKeyId') ?? str('TargetKeyId');
  if (keyId !== undefined) record.keyId = keyId;
  const sourceKeyId = str('SourceKeyId');
  if (sourceKeyId !== undefined) record.sourceKeyId = sourceKeyId;
  const aliasName = str('AliasName');
  if (aliasName !== undefined) record.aliasName = aliasName;
  const context = stringMap(body.EncryptionContext ?? body.DestinationEncryptionContext);
  if (context !== undefined) record.encryptionContext = context;
  const sourceContext = stringMap(body.SourceEncryptionContext);
  if (sourceContext !== undefined) record.sourceEncryptionContext = sourceContext;
  return record;
}

async function respond(req: IncomingMessage, hooks: HttpHooks): Promise<{ status: number; payload: Record<string, unknown> }> {
  try {
    const target = req.headers['x-amz-target'];
    if (req.method !== 'POST') throw new KmsError('UnknownOperationException', `The local KMS only accepts POST (got ${req.method ?? '?'}).`);
    if (typeof target !== 'string' || !target.startsWith(TARGET_PREFIX)) {
      throw new KmsError('UnknownOperationException', `Missing or unknown X-Amz-Target header: expected ${TARGET_PREFIX}<Operation>.`);
    }
    const operation = target.slice(TARGET_PREFIX.length);
    const raw = (await readBody(req)).toString('utf8');
    let body: unknown;
    try {
      body = raw.trim() === '' ? {} : JSON.parse(raw);
    } catch {
      throw serialization('The request body is not valid JSON.');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body)) throw serialization('The request body must be a JSON object.');
    const fields = body as Record<string, unknown>;
    const record = describe(operation, fields, new Date(hooks.engine.now()));
    hooks.record(record);
    try {
      if (hooks.throttleNow()) {
        throw new KmsError('ThrottlingException', 'Rate exceeded: this call was throttled by the local KMS fault injection (throttleEvery).');
      }
      const handler = OPERATIONS[operation];
      if (handler === undefined) throw new KmsError('UnknownOperationException', `The local KMS does not implement ${operation}.`);
      hooks.engine.tick();
      return { status: 200, payload: handler(new Input(fields), { engine: hooks.engine, note: record }) };
    } catch (error) {
      record.error = error instanceof KmsError ? error.code : 'KMSInternalException';
      throw error;
    }
  } catch (error) {
    const e =
      error instanceof KmsError
        ? error
        : new KmsError('KMSInternalException', `local KMS internal error: ${error instanceof Error ? error.message : String(error)}`, 500);
    return { status: e.status, payload: { __type: e.code, message: e.message } };
  }
}

function send(res: ServerResponse, status: number, payload: Record<string, unknown>): void {
  const body = Buffer.from(JSON.stringify(payload), 'utf8');
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': body.length,
    'x-amzn-requestid': randomUUID(),
  });
  res.end(body);
}

/** The request listener of the local KMS: AWS JSON 1.1, `X-Amz-Target: TrentService.<Operation>`. */
export function kmsListener(hooks: HttpHooks): RequestListener {
  return (req, res) => {
    void (async () => {
      const { status, payload } = await respond(req, hooks);
      const latency = hooks.latencyMs();
      if (latency > 0) await sleep(latency);
      send(res, status, payload);
    })().catch((error: unknown) => {
      res.destroy(error instanceof Error ? error : new Error(String(error)));
    });
  };
}
