import {
  marshall,
  NumberValueImpl,
  unmarshall,
  type marshallOptions,
  type NativeAttributeValue,
  type NumberValue,
  type unmarshallOptions,
} from '@aws-sdk/util-dynamodb';
import { DdbecError } from '../errors.js';
import { canonicalizeNumber, type Item } from '../format/index.js';
import type { CryptoConfig, ItemEncryptor } from '../encryptor/index.js';

/** A plain JavaScript item, as `@aws-sdk/lib-dynamodb` and `@aws-sdk/util-dynamodb` use them. */
export type NativeItem = Record<string, NativeAttributeValue>;

export interface NativeOptions {
  readonly marshallOptions?: marshallOptions;
  /**
   * How numbers come back. Default {@link exactNumbers}: a JS `number` when it represents the
   * stored number exactly, otherwise a `NumberValue` holding the exact text — never a silent
   * rounding. Pass `{ wrapNumbers: true }` for `NumberValue` everywhere, like the SDK option.
   */
  readonly unmarshallOptions?: unmarshallOptions;
}

/** `unmarshall`'s `wrapNumbers` hook that never loses a digit. */
export function exactNumbers(text: string): number | NumberValue {
  const number = Number(text);
  return Number.isFinite(number) && canonicalizeNumber(String(number)) === canonicalizeNumber(text)
    ? number
    : NumberValueImpl.from(text);
}

/** {@link ItemEncryptor.encryptItem} for a plain JavaScript object; returns the stored item as a plain object. */
export async function encryptObject(
  encryptor: ItemEncryptor,
  object: NativeItem,
  config: CryptoConfig,
  options: NativeOptions = {},
): Promise<NativeItem> {
  const encrypted = await encryptor.encryptItem(toItem(object, options), config);
  return unmarshall(encrypted, { wrapNumbers: exactNumbers, ...options.unmarshallOptions });
}

/** {@link ItemEncryptor.decryptItem} for a stored item held as a plain JavaScript object. */
export async function decryptObject(
  encryptor: ItemEncryptor,
  object: NativeItem,
  config: CryptoConfig,
  options: NativeOptions = {},
): Promise<NativeItem> {
  const decrypted = await encryptor.decryptItem(toItem(object, options), config);
  return unmarshall(decrypted, { wrapNumbers: exactNumbers, ...options.unmarshallOptions });
}

function toItem(object: NativeItem, options: NativeOptions): Item {
  try {
    return marshall(object, options.marshallOptions);
  } catch (error) {
    throw new DdbecError('ERR_INVALID_ARGUMENT', `the object cannot be converted to DynamoDB attribute values`, { cause: error });
  }
}
