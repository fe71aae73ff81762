import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DdbecError } from '../errors.js';
import type { AttributeValue, Item } from '../format/index.js';
import { readKeySchema } from './client.js';
import { mapBounded } from './concurrency.js';
import { TableRegistry, tableNameOf, type EncryptionConfig } from './config.js';

/**
 * A value of a stream image: the SDK shape (`B` as bytes, from `@aws-sdk/client-dynamodb-streams`)
 * or the JSON shape of a Lambda `DynamoDBStreamEvent` (`B` and `BS` members as base64 text).
 */
export type StreamAttributeValue =
  | AttributeValue
  | { B: string }
  | { BS: string[] }
  | { M: Record<string, StreamAttributeValue> }
  | { L: StreamAttributeValue[] };

/** The part of a DynamoDB Streams record (Lambda or SDK) that the decryptor reads. */
export interface StreamRecordLike {
  /** `arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>` — gives the table. */
  readonly eventSourceARN?: string | undefined;
  readonly dynamodb?:
    | {
        readonly Keys?: Readonly<Record<string, StreamAttributeValue>> | undefined;
        readonly NewImage?: Readonly<Record<string, StreamAttributeValue>> | undefined;
        readonly OldImage?: Readonly<Record<string, StreamAttributeValue>> | undefined;
      }
    | undefined;
}

/** A record with its images verified and decrypted (and every `B` value as bytes). */
export type DecryptedStreamRecord<R extends StreamRecordLike> = Omit<R, 'dynamodb'> & {
  readonly dynamodb?: Omit<NonNullable<R['dynamodb']>, 'Keys' | 'NewImage' | 'OldImage'> & {
    readonly Keys?: Item;
    readonly NewImage?: Item;
    readonly OldImage?: Item;
  };
};

export interface StreamRecordDecryptorOptions {
  /** A client to read key schemas with DescribeTable, for tables whose config has no `keySchema`. */
  readonly client?: DynamoDBClient;
}

/**
 * Verifies and decrypts the `NewImage` and `OldImage` of DynamoDB Streams records with the same
 * table configuration as the encrypting client. Records of `plaintextTables` pass through;
 * records of tables that are not configured throw `ERR_UNKNOWN_TABLE` (or pass through, with
 * `unknownTables: 'passthrough'`), as do case-only variants of a configured name. Images of
 * records of encrypted tables must be complete (stream view type `NEW_IMAGE`, `OLD_IMAGE` or
 * `NEW_AND_OLD_IMAGES`).
 */
export class StreamRecordDecryptor {
  readonly #registry: TableRegistry;

  constructor(config: EncryptionConfig, options: StreamRecordDecryptorOptions = {}) {
    const client = options.client;
    this.#registry = new TableRegistry(config, client ? (table) => readKeySchema(client, table) : undefined);
  }

  /** One record; `tableName` overrides the table read from `eventSourceARN`. Returns a new record. */
  async decryptRecord<R extends StreamRecordLike>(record: R, tableName?: string): Promise<DecryptedStreamRecord<R>> {
    const name = tableName ?? (record.eventSourceARN === undefined ? undefined : tableNameOf(record.eventSourceARN));
    if (name === undefined || name.startsWith('arn:')) {
      throw new DdbecError('ERR_INVALID_ARGUMENT', 'the stream record has no eventSourceARN naming its table; pass the table name');
    }
    const table = await this.#registry.resolve(name);
    const images = record.dynamodb;
    if (!images) return record as DecryptedStreamRecord<R>;
    const out: Record<string, unknown> = { ...images };
    for (const member of ['Keys', 'NewImage', 'OldImage'] as const) {
      const image = images[member];
      if (image === undefined) continue;
      const item = toItem(image);
      out[member] = member !== 'Keys' && table?.encrypted ? await table.encryptor.decryptItem(item) : item;
    }
    return { ...record, dynamodb: out } as DecryptedStreamRecord<R>;
  }

  /** Every record of a Lambda `DynamoDBStreamEvent` (or any `{ Records }`), in order, with bounded concurrency. */
  async decryptEvent<E extends { readonly Records: readonly StreamRecordLike[] }>(
    event: E,
  ): Promise<Omit<E, 'Records'> & { Records: DecryptedStreamRecord<E['Records'][number]>[] }> {
    const records = await mapBounded(event.Records, this.#registry.concurrency, (record) => this.decryptRecord(record));
    return { ...event, Records: records };
  }
}

/** A stream image as an SDK item: base64 `B`/`BS` text becomes bytes. */
function toItem(image: Readonly<Record<string, StreamAttributeValue>>): Item {
  const item: Item = {};
  for (const name of Object.keys(image)) {
    const value = toValue(image[name] as StreamAttributeValue);
    if (name === '__proto__') Object.defineProperty(item, name, { value, enumerable: true, writable: true, configurable: true });
    else item[name] = value;
  }
  return item;
}

function toValue(value: StreamAttributeValue): AttributeValue {
  if ('B' in value && typeof value.B === 'string') return { B: new Uint8Array(Buffer.from(value.B, 'base64')) };
  if ('BS' in value && value.BS.some((member) => typeof member === 'string')) {
    return { BS: value.BS.map((member) => (typeof member === 'string' ? new Uint8Array(Buffer.from(member, 'base64')) : member)) };
  }
  if ('M' in value) return { M: toItem(value.M) };
  if ('L' in value) return { L: value.L.map(toValue) };
  return value as AttributeValue;
}
