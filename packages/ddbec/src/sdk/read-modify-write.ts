import { GetItemCommand, PutItemCommand, type DynamoDBClient, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { DdbecError } from '../errors.js';
import { SIGNATURE_ATTRIBUTE, type AttributeValue, type Item } from '../format/index.js';
import { documentInternalsOf, internalsOf, type EncryptedDynamoDBClient } from './client.js';
import type { EncryptedDynamoDB } from './aggregated.js';
import type { ResolvedTable } from './config.js';
import type { EncryptionEngine } from './engine.js';
import { checkItemSize, withoutUndefined } from './items.js';
import { FOOTER_ATTRIBUTE } from '../dbesdk/config.js';
import { convertAttributes } from './marshalling.js';

/**
 * The input of {@link readModifyWrite} (`T` = `Item`, AttributeValues) and of
 * {@link readModifyWriteDocument} (`T` = your item type, native JavaScript values).
 */
export interface ReadModifyWriteInput<T = Item> {
  readonly TableName: string;
  /** The item's primary key. */
  readonly Key: T extends Item ? Readonly<Item> : Readonly<Record<string, unknown>>;
  /**
   * Gets the current plaintext item (`undefined` when there is none) and returns the new
   * plaintext item — with the same key — or `undefined` to write nothing. May run more than
   * once (after a concurrent change); don't mutate `current`, return a new object.
   */
  readonly update: (current: Readonly<T> | undefined) => T | undefined | Promise<T | undefined>;
  /** How many times to try when the item changes between the read and the write. Default 5. */
  readonly maxAttempts?: number;
}

export interface ReadModifyWriteOutput<T = Item> {
  /** The plaintext item now stored (the current one when `update` returned `undefined`). */
  readonly Item: T | undefined;
  /** False when `update` returned `undefined`. */
  readonly written: boolean;
  readonly attempts: number;
}

/** How items look to the caller. */
interface ItemForm<T> {
  readonly key: (key: Readonly<Record<string, unknown>>) => Promise<Item>;
  readonly fromStored: (item: Item) => Promise<T>;
  readonly toStored: (item: T) => Promise<Item>;
}

/**
 * Changes an item of an encrypted table safely, for changes UpdateItem cannot make (signed or
 * encrypted attributes): reads it (consistently), verifies and decrypts it, applies `update`,
 * encrypts and signs the result, and writes it with a condition on the old signature (or on
 * the item's absence), so a concurrent writer is never overwritten; on such a conflict it
 * starts again, up to `maxAttempts` times, then throws the `ConditionalCheckFailedException`.
 * `undefined` attributes (and map entries) of the new item are left out, as the SDK does; an
 * item too large once encrypted is refused (`ERR_ITEM_TOO_LARGE`).
 */
export async function readModifyWrite(client: EncryptedDynamoDBClient | EncryptedDynamoDB, input: ReadModifyWriteInput): Promise<ReadModifyWriteOutput> {
  const { engine, base } = internalsOf(client, 'readModifyWrite');
  const same = (item: Item): Promise<Item> => Promise.resolve(item);
  return run(engine, base, input, 'readModifyWrite', { key: (key) => same({ ...(key as Item) }), fromStored: same, toStored: same });
}

/**
 * {@link readModifyWrite} through a `DynamoDBDocumentClient` (`@aws-sdk/lib-dynamodb`) made
 * from an `EncryptedDynamoDBClient`: `Key`, the current item and the new item are native
 * JavaScript values, converted as that client's `GetCommand` and `PutCommand` convert them
 * (its `marshallOptions` and `unmarshallOptions`, e.g. `wrapNumbers`, `removeUndefinedValues`).
 * A value lib-dynamodb cannot convert is refused with `ERR_SERIALIZATION`, naming the attribute
 * but not the value.
 */
export async function readModifyWriteDocument<T extends object = Record<string, unknown>>(
  documentClient: { readonly config: object },
  input: ReadModifyWriteInput<T>,
): Promise<ReadModifyWriteOutput<T>> {
  const { engine, base, translateConfig } = documentInternalsOf(documentClient, 'readModifyWriteDocument');
  const marshallOptions = translateConfig?.marshallOptions;
  const unmarshallOptions = translateConfig?.unmarshallOptions;
  const where = (part: string): string => `readModifyWriteDocument on table "${input.TableName}", ${part}`;
  return run(engine, base, input, 'readModifyWriteDocument', {
    key: async (key) => (await convertAttributes(key, 'marshall', marshallOptions, where('Key'))) as Item,
    fromStored: async (item) => (await convertAttributes(item, 'unmarshall', unmarshallOptions, where('the stored item'))) as T,
    toStored: async (item) => (await convertAttributes(item, 'marshall', marshallOptions, where('the updated item'))) as Item,
  });
}

async function run<T>(engine: EncryptionEngine, base: DynamoDBClient, input: ReadModifyWriteInput<T>, what: string, form: ItemForm<T>): Promise<ReadModifyWriteOutput<T>> {
  if (typeof input?.TableName !== 'string' || typeof input.Key !== 'object' || input.Key === null || typeof input.update !== 'function') {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `${what} needs TableName, Key and an update function`);
  }
  const maxAttempts = input.maxAttempts ?? 5;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw new DdbecError('ERR_INVALID_ARGUMENT', 'maxAttempts must be an integer ≥ 1');
  const table = await engine.registry.resolve(input.TableName);
  if (!table?.encrypted) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `${what}: table "${input.TableName}" is not encrypted; use UpdateItem`);
  }
  const key = await form.key(input.Key);
  const keyNames = [table.keySchema.partitionKey, table.keySchema.sortKey].filter((name): name is string => name !== undefined);

  for (let attempt = 1; ; attempt += 1) {
    const { Item: stored } = await base.send(new GetItemCommand({ TableName: input.TableName, Key: key, ConsistentRead: true }));
    const current = stored === undefined ? undefined : await form.fromStored(await table.encryptor.decryptItem(stored));
    const updated = await input.update(current);
    if (updated === undefined) return { Item: current, written: false, attempts: attempt };
    const next = withoutUndefined(await form.toStored(updated));
    for (const name of keyNames) {
      if (!sameValue(next[name], key[name])) {
        throw new DdbecError('ERR_INVALID_ARGUMENT', `${what}: the updated item must keep its key ("${name}" changed or is missing)`);
      }
    }
    const encrypted = await table.encryptor.encryptItem(next);
    checkItemSize(next, encrypted, `${what}: the updated item for encrypted table "${table.name}"`);
    try {
      await base.send(new PutItemCommand({ TableName: input.TableName, Item: encrypted, ...unchangedSince(stored, table) }));
      return { Item: updated, written: true, attempts: attempt };
    } catch (error) {
      if ((error as { name?: unknown }).name !== 'ConditionalCheckFailedException' || attempt >= maxAttempts) throw error;
    }
  }
}

/**
 * The condition that the item is still the one read: its signature (legacy signature or
 * DB-ESDK footer), or for a plaintext item (a DB-ESDK table that reads plaintext) each of its
 * attributes and still no signature (the item decrypted, so the table reads plaintext); or its absence.
 */
function unchangedSince(
  stored: Item | undefined,
  table: ResolvedTable,
): Pick<PutItemCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> {
  if (stored === undefined) return { ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': table.keySchema.partitionKey } };
  const signatureAttribute = [SIGNATURE_ATTRIBUTE, FOOTER_ATTRIBUTE].find((name) => stored[name] !== undefined);
  if (signatureAttribute !== undefined) {
    return { ConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': signatureAttribute }, ExpressionAttributeValues: { ':s': stored[signatureAttribute] as AttributeValue } };
  }
  const names: Record<string, string> = { '#s': SIGNATURE_ATTRIBUTE, '#f': FOOTER_ATTRIBUTE };
  const values: Record<string, AttributeValue> = {};
  const conditions = ['attribute_not_exists(#s)', 'attribute_not_exists(#f)'];
  Object.entries(stored).forEach(([name, value], i) => {
    names[`#a${i}`] = name;
    values[`:a${i}`] = value;
    conditions.push(`#a${i} = :a${i}`);
  });
  return { ConditionExpression: conditions.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}

function sameValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if ('S' in a && 'S' in b) return a.S === b.S;
  if ('N' in a && 'N' in b) return a.N === b.N;
  if ('B' in a && 'B' in b) return Buffer.compare(a.B, b.B) === 0;
  return false;
}
