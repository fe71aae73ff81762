/**
 * Interoperability with items written by the Java and Python clients: unwrap the stored
 * content key (AESWrap, RSA-OAEP SHA-256/MGF1-SHA-1, legacy PKCS#1 v1.5) and decrypt every
 * encrypted attribute. The material description is parsed here with a few lines (the real
 * parser lives in the format layer).
 */
import { expect, it } from 'vitest';
import { getContentCipher, getWrappingAlgorithm, RsaPrivateKey, SecretKey, type UnwrappingKey } from '../../src/crypto/index.js';
import { describeVectors, fromBase64, readVectorJson } from '../support/vectors.js';
import { vectorKeys } from './helpers.js';

type StoredValue = Record<string, unknown>;
type StoredItem = Record<string, StoredValue>;

function parseDescription(bytes: Uint8Array): Map<string, string> {
  const view = Buffer.from(bytes);
  expect(view.readUInt32BE(0)).toBe(0);
  const out = new Map<string, string>();
  let offset = 4;
  const next = (): string => {
    const length = view.readUInt32BE(offset);
    const text = view.subarray(offset + 4, offset + 4 + length).toString('utf8');
    offset += 4 + length;
    return text;
  };
  while (offset < view.length) {
    const key = next();
    out.set(key, next());
  }
  return out;
}

interface PlaintextFile {
  attributes: Record<string, Record<string, StoredValue>>;
}

const TAGS: Record<string, number> = { B: 0x62, S: 0x73, N: 0x6e, BOOL: 0x3f, NULL: 0x00, BS: 0x42, SS: 0x53, NS: 0x4e, L: 0x4c, M: 0x4d };

const FILES = [
  { file: 'java/wrapped-rsa-rsa-1.json', key: 'rsaEncPriv' },
  { file: 'java/wrapped-rsa-rsa-2.json', key: 'rsaEncPriv' },
  { file: 'java/wrapped-rsa-rsa-3.json', key: 'rsaEncPriv' },
  { file: 'python/wrapped-rsa-rsa-1.json', key: 'rsaEncPriv' },
  { file: 'python/wrapped-rsa-rsa-2.json', key: 'rsaEncPriv' },
  { file: 'python/wrapped-rsa-rsa-3.json', key: 'rsaEncPriv' },
  { file: 'java/wrapped-aes-hmac-1.json', key: 'aesKey' },
  { file: 'python/wrapped-aes-hmac-1.json', key: 'aesKey' },
  { file: 'java/static-aes-hmac-1.json', key: 'aesKey', static: true },
  { file: 'python/static-aes-hmac-3.json', key: 'aesKey', static: true },
];

describeVectors('shared vectors: unwrap and decrypt items of the Java and Python clients', () => {
  for (const entry of FILES) {
    it(entry.file, () => {
      const keys = vectorKeys();
      const keyEntry = keys[entry.key];
      const material = fromBase64(keyEntry?.material ?? '');
      const unwrappingKey: UnwrappingKey = keyEntry?.type === 'private' ? RsaPrivateKey.fromDer(material) : SecretKey.fromBytes(material, 'AES');
      const plaintext = readVectorJson<PlaintextFile>('encrypted_item/plaintext.json');
      const plainTypes = new Map<string, string>();
      for (const group of Object.values(plaintext.attributes)) {
        for (const [name, value] of Object.entries(group)) plainTypes.set(name, Object.keys(value)[0] ?? '');
      }
      const tables = readVectorJson<Record<string, StoredItem[]>>(`encrypted_item/ciphertext/${entry.file}`);
      const wrapAlgorithmsSeen = new Set<string>();
      let decrypted = 0;
      for (const items of Object.values(tables)) {
        for (const item of items) {
          const storedDescription = item['*amzn-ddb-map-desc*']?.B;
          if (typeof storedDescription !== 'string') continue; // "nothing" items carry no description
          const description = parseDescription(fromBase64(storedDescription));
          let contentKey: SecretKey;
          if (entry.static === true) {
            contentKey = unwrappingKey as SecretKey;
          } else {
            // legacy items without amzn-ddb-map-wrap-alg use the unwrapping key's algorithm name (§8.3.4)
            const wrapAlgorithm = description.get('amzn-ddb-wrap-alg') ?? unwrappingKey.algorithm;
            const envKey = description.get('amzn-ddb-env-key');
            if (envKey === undefined) continue; // sign-only items
            wrapAlgorithmsSeen.add(wrapAlgorithm);
            const raw = getWrappingAlgorithm(wrapAlgorithm).unwrap(unwrappingKey, fromBase64(envKey));
            expect(raw.length).toBe(32);
            contentKey = SecretKey.fromBytes(raw, (description.get('amzn-ddb-env-alg') ?? 'AES/256').split('/')[0] ?? '');
          }
          const cipher = getContentCipher(contentKey.algorithm, description.get('amzn-ddb-map-sym-mode') ?? '/CBC/PKCS5Padding');
          for (const [name, value] of Object.entries(item)) {
            const plainType = plainTypes.get(name);
            if (typeof value.B !== 'string' || plainType === undefined || plainType === 'B') continue;
            const serialized = cipher.decrypt(contentKey, fromBase64(value.B));
            expect([serialized[0], serialized[1]], name).toEqual([0x00, TAGS[plainType]]);
            decrypted++;
          }
        }
      }
      expect(decrypted).toBeGreaterThan(0);
      if (entry.file === 'java/wrapped-rsa-rsa-1.json') expect([...wrapAlgorithmsSeen]).toEqual(['RSA']); // PKCS#1 v1.5
      if (entry.file.includes('rsa-rsa') && entry.file !== 'java/wrapped-rsa-rsa-1.json') {
        expect([...wrapAlgorithmsSeen]).toEqual(['RSA/ECB/OAEPWithSHA-256AndMGF1Padding']);
      }
      if (entry.file.includes('wrapped-aes')) expect([...wrapAlgorithmsSeen]).toEqual(['AESWrap']);
    });
  }
});
