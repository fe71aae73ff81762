import {
  AttributeActions,
  CryptoAction,
  generateRsaKeyPair,
  ItemEncryptor,
  SecretKey,
  StaticMaterialsProvider,
  WrappedMaterialsProvider,
  type CryptographicMaterialsProvider,
  type CryptoConfig,
  type Item,
} from '../../src/index.js';
import { getSignatureAlgorithm, sha256 } from '../../src/crypto/index.js';
import { SIGNATURE_ATTRIBUTE, stringToSign } from '../../src/format/index.js';

const rsaWrap = generateRsaKeyPair(2048);
const rsaSign = generateRsaKeyPair(2048, 'SHA256withRSA');
const aes = SecretKey.generate('AES', 256);
const hmac = SecretKey.generate('HmacSHA256', 256);

/** One provider of each kind, built once (RSA key generation is slow). */
export const PROVIDERS: Readonly<Record<string, CryptographicMaterialsProvider>> = {
  'static AES + HMAC': new StaticMaterialsProvider({ encryptionKey: aes, signingKey: hmac }),
  'static AES + RSA signature': new StaticMaterialsProvider({ encryptionKey: aes, signingKey: rsaSign.privateKey }),
  'wrapped AESWrap + HMAC': new WrappedMaterialsProvider({ wrappingKey: SecretKey.generate('AES', 256), signingKey: hmac }),
  'wrapped RSA-OAEP + RSA signature': new WrappedMaterialsProvider({
    wrappingKey: rsaWrap.publicKey,
    unwrappingKey: rsaWrap.privateKey,
    signingKey: rsaSign.privateKey,
  }),
};

export const staticEncryptor = (): ItemEncryptor => new ItemEncryptor({ materialsProvider: PROVIDERS['static AES + HMAC'] as CryptographicMaterialsProvider });

/**
 * An item written by {@link staticEncryptor}, signed again as the Python client signs (the Python
 * form of the string to sign, legacy-format §2.9): stands in for a Python-written item, including
 * the sign-only numbers of more than 28 digits that ddbec itself refuses to sign that way.
 */
export function resignInPythonForm(stored: Item, config: CryptoConfig): Item {
  const { tableName } = config.encryptionContext;
  if (tableName === undefined) throw new Error('needs a table name');
  const toSign = stringToSign({ tableName, item: stored, actionOf: (name) => config.attributeActions.actionOf(name), sha256, profile: 'python' });
  return { ...stored, [SIGNATURE_ATTRIBUTE]: { B: getSignatureAlgorithm('HmacSHA256').sign(hmac, toSign) } };
}

/** Table `customers`, partition key `pk`, sort key `sk`; `plan` sign-only, `note` do-nothing, the rest encrypted. */
export const CONFIG: CryptoConfig = {
  encryptionContext: { tableName: 'customers', partitionKeyName: 'pk', sortKeyName: 'sk' },
  attributeActions: new AttributeActions({
    attributeActions: { pk: CryptoAction.SignOnly, sk: CryptoAction.SignOnly, plan: CryptoAction.SignOnly, note: CryptoAction.DoNothing },
  }),
};

export const ITEM: Item = {
  pk: { S: 'customer#1' },
  sk: { N: '42' },
  name: { S: 'Ada Lovelace' },
  secretNumber: { N: '1234.5000' },
  card: { B: new Uint8Array([1, 2, 3, 4]) },
  tags: { SS: ['b', 'a'] },
  nested: { M: { list: { L: [{ BOOL: true }, { NULL: true }, { NS: ['1', '2.50'] }] } } },
  plan: { S: 'pro' },
  note: { S: 'free text' },
};

/** A copy of an item with one bit of one binary attribute flipped. */
export function flipBit(item: Item, attribute: string, byteIndex = 0, bit = 0): Item {
  const value = item[attribute];
  if (!value || !('B' in value)) throw new Error(`${attribute} is not binary`);
  const bytes = new Uint8Array(value.B);
  bytes[byteIndex % bytes.length] = (bytes[byteIndex % bytes.length] ?? 0) ^ (1 << bit);
  return { ...item, [attribute]: { B: bytes } };
}
