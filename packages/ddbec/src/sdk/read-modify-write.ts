import { GetItemCommand, PutItemCommand, type PutItemCommandInput } from '@aws-sdk/client-dynamodb';
import { DdbecError } from '../errors.js';
import { SIGNATURE_ATTRIBUTE, type AttributeValue, type Item } from '../format/index.js';
import { internalsOf, type EncryptedDynamoDBClient } from './client.js';
import { checkItemSize, withoutUndefined } from './items.js';

export interface ReadModifyWriteInput {
  readonly TableName: string;
  /** The item's primary key. */
  readonly Key: Readonly<Item>;
  /**
   * Gets the current plaintext item (`undefined` when there is none) and returns the new
   * plaintext item — with the same key — or `undefined` to write nothing. May run more than
   * once (after a concurrent change); don't mutate `current`, return a new object.
   */
  readonly update: (current: Readonly<Item> | undefined) => Item | undefined | Promise<Item | undefined>;
  /** How many times to try when the item changes between the read and the write. Default 5. */
  readonly maxAttempts?: number;
}

export interface ReadModifyWriteOutput {
  /** The plaintext item now stored (the current one when `update` returned `undefined`). */
  readonly Item: Item | undefined;
  /** False when `update` returned `undefined`. */
  readonly written: boolean;
  readonly attempts: number;
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
export async function readModifyWrite(client: EncryptedDynamoDBClient, input: ReadModifyWriteInput): Promise<ReadModifyWriteOutput> {
  const { engine, base } = internalsOf(client, 'readModifyWrite');
  if (typeof input?.TableName !== 'string' || typeof input.Key !== 'object' || input.Key === null || typeof input.update !== 'function') {
    throw new DdbecError('ERR_INVALID_ARGUMENT', 'readModifyWrite needs TableName, Key and an update function');
  }
  const maxAttempts = input.maxAttempts ?? 5;
  if (!Number.isSafeInteger(maxAttempts) || maxAttempts < 1) throw new DdbecError('ERR_INVALID_ARGUMENT', 'maxAttempts must be an integer ≥ 1');
  const table = await engine.registry.resolve(input.TableName);
  if (!table?.encrypted) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `readModifyWrite: table "${input.TableName}" is not encrypted; use UpdateItem`);
  }
  const keyNames = [table.keySchema.partitionKey, table.keySchema.sortKey].filter((name): name is string => name !== undefined);

  for (let attempt = 1; ; attempt += 1) {
    const { Item: stored } = await base.send(new GetItemCommand({ TableName: input.TableName, Key: { ...input.Key }, ConsistentRead: true }));
    const current = stored === undefined ? undefined : await table.encryptor.decryptItem(stored, table.crypto);
    const updated = await input.update(current);
    if (updated === undefined) return { Item: current, written: false, attempts: attempt };
    const next = withoutUndefined(updated);
    for (const name of keyNames) {
      if (!sameValue(next[name], input.Key[name])) {
        throw new DdbecError('ERR_INVALID_ARGUMENT', `readModifyWrite: the updated item must keep its key ("${name}" changed or is missing)`);
      }
    }
    const encrypted = await table.encryptor.encryptItem(next, table.crypto);
    checkItemSize(next, encrypted, `readModifyWrite: the updated item for encrypted table "${table.name}"`);
    const signature = stored?.[SIGNATURE_ATTRIBUTE];
    const condition: Pick<PutItemCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'> | undefined =
      stored === undefined
        ? { ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': table.keySchema.partitionKey } }
        : signature === undefined
          ? undefined
          : { ConditionExpression: '#s = :s', ExpressionAttributeNames: { '#s': SIGNATURE_ATTRIBUTE }, ExpressionAttributeValues: { ':s': signature } };
    if (condition === undefined) throw new DdbecError('ERR_MALFORMED_ITEM', `readModifyWrite: the stored item of table "${table.name}" has no signature`);
    try {
      await base.send(new PutItemCommand({ TableName: input.TableName, Item: encrypted, ...condition }));
      return { Item: updated, written: true, attempts: attempt };
    } catch (error) {
      if ((error as { name?: unknown }).name !== 'ConditionalCheckFailedException' || attempt >= maxAttempts) throw error;
    }
  }
}

function sameValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  if ('S' in a && 'S' in b) return a.S === b.S;
  if ('N' in a && 'N' in b) return a.N === b.N;
  if ('B' in a && 'B' in b) return Buffer.compare(a.B, b.B) === 0;
  return false;
}
