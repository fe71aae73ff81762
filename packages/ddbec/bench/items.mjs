// The items, attribute actions and keys that every single-thread table measures (and that the
// Python side-by-side sends to the reference client): deterministic, so runs compare.
import { generateKeyPairSync } from 'node:crypto';

const text = (n, seed) => seed.repeat(Math.ceil(n / seed.length)).slice(0, n);
const pattern = (n) => Uint8Array.from({ length: n }, (_, i) => (i * 151 + 7) & 0xff);

/** 12 attributes, about 1 KiB: keys, names, an address, numbers, a flag, a string set, a small map, a binary. `i` numbers the customer. */
export function typicalItem(i = 1234) {
  return {
    pk: { S: `customer#${String(i).padStart(7, '0')}` },
    sk: { S: 'profile#2026-11-29' },
    name: { S: 'Ada Lovelace' },
    email: { S: 'ada.lovelace@example.com' },
    phone: { S: '+44 20 7946 0958' },
    address: { S: text(160, '12 St James Square, London SW1Y 4JH, United Kingdom. ') },
    balance: { N: '102456.75' },
    creditLimit: { N: '250000' },
    active: { BOOL: true },
    tags: { SS: ['early-adopter', 'vip', 'newsletter', 'beta', 'emea'] },
    preferences: { M: { language: { S: 'en-GB' }, currency: { S: 'GBP' }, marketing: { BOOL: false }, theme: { S: 'dark' } } },
    avatar: { B: pattern(420) },
  };
}

/** 200 attributes, about 110 KiB: the two keys and 198 nested maps. `n` numbers the tenant. */
export function largeItem(n = 42) {
  const item = { pk: { S: `tenant#${n}` }, sk: { S: 'document#7' } };
  for (let i = 0; i < 198; i += 1) {
    item[`field${String(i).padStart(3, '0')}`] = {
      M: {
        title: { S: text(120, `title ${i} `) },
        body: { S: text(300, `body of section ${i}. `) },
        score: { N: String(i * 37.5) },
        meta: { M: { owner: { S: `user-${i % 17}` }, flags: { SS: ['a', 'b', `c${i}`] }, rev: { N: String(i) } } },
      },
    };
  }
  return item;
}

export const ITEMS = { typical: typicalItem, large: largeItem };

/** The keys are sign-only, everything else is encrypted and signed. */
export const TABLE = { tableName: 'bench', partitionKeyName: 'pk', sortKeyName: 'sk' };
export const SIGN_ONLY = ['pk', 'sk'];

// Fixed key bytes; the RSA pair is generated once per run.
export const AES_KEY = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
export const HMAC_KEY = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
export const WRAPPING_KEY = Uint8Array.from({ length: 32 }, (_, i) => (i * 29) & 0xff);
let rsa;
/** An RSA-2048 pair (KeyObjects), made on first use. */
export function rsaKeyPair() {
  rsa ??= generateKeyPairSync('rsa', { modulusLength: 2048 });
  return rsa;
}

/** DynamoDB JSON with binaries as base64, for the Python reference client. */
export function toWireJson(item) {
  return JSON.stringify(item, (_key, value) => (value instanceof Uint8Array ? { $b64: Buffer.from(value).toString('base64') } : value));
}
