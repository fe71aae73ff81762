/**
 * Round trips over random items: raw AES and hierarchical keyrings × both suites × version 1 and
 * 2 headers × random action mixes (every attribute ENCRYPT_AND_SIGN, SIGN_ONLY,
 * SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT (version 2) or DO_NOTHING via allowedUnsignedAttributes
 * or the prefix).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DbesdkCryptoAction } from '../../src/dbesdk/config.js';
import { DbesdkItemEncryptor } from '../../src/dbesdk/item-encryptor.js';
import type { AttributeValue, Item } from '../../src/format/attribute-value.js';
import { parseHeader } from '../../src/structured/header.js';
import { attributeNameArb, attributeValueArb, normalizeItem } from '../support/arbitraries.js';
import { KEYRINGS } from './helpers.js';

const PREFIX = 'tmp_';

type Choice = 'e' | 's' | 'c' | 'n' | 'p';

/** A random item (plus key attributes pk: S, sk: N) and an action per attribute. */
const caseArb = (version: 1 | 2) =>
  fc.record({
    pk: fc.string({ minLength: 1, maxLength: 8 }),
    sk: fc.integer({ min: -1e6, max: 1e6 }).map(String),
    attributes: fc.dictionary(
      attributeNameArb.filter((n) => !n.startsWith('aws_dbe_') && !n.startsWith(PREFIX) && n !== 'pk' && n !== 'sk'),
      fc.tuple(attributeValueArb, fc.constantFrom<Choice>(...(version === 2 ? (['e', 's', 'c', 'n', 'p'] as const) : (['e', 's', 'n', 'p'] as const)))),
      { maxKeys: 8, noNullPrototype: true },
    ),
  });

/** `target[name] = value`, also for the name `__proto__`. */
function set<T>(target: Record<string, T>, name: string, value: T): void {
  Object.defineProperty(target, name, { value, enumerable: true, writable: true, configurable: true });
}

const ACTION: Record<'e' | 's' | 'c', DbesdkCryptoAction> = { e: 'ENCRYPT_AND_SIGN', s: 'SIGN_ONLY', c: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' };

describe.each(KEYRINGS)('DB-ESDK round trips with the %s keyring', (_name, makeKeyring) => {
  const keyring = makeKeyring();
  describe.each([0x6700, 0x6701] as const)('suite %s', (algorithmSuiteId) => {
    it.each([1, 2] as const)('version %s items decrypt to what was encrypted', async (version) => {
      await fc.assert(
        fc.asyncProperty(caseArb(version), async ({ pk, sk, attributes }) => {
          const keyAction: DbesdkCryptoAction = version === 2 ? 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' : 'SIGN_ONLY';
          const actions: Record<string, DbesdkCryptoAction> = { pk: keyAction, sk: keyAction };
          const unsigned: string[] = [];
          const item: Item = { pk: { S: pk }, sk: { N: sk } };
          for (const [name, [value, choice]] of Object.entries(attributes)) {
            set(item, choice === 'p' ? PREFIX + name : name, value);
            if (choice === 'n') {
              unsigned.push(name);
              set(actions, name, 'DO_NOTHING');
            } else if (choice !== 'p') {
              set(actions, name, ACTION[choice]);
            }
          }
          const encryptor = new DbesdkItemEncryptor({
            logicalTableName: 'Table',
            partitionKeyName: 'pk',
            sortKeyName: 'sk',
            attributeActionsOnEncrypt: actions,
            allowedUnsignedAttributes: unsigned,
            allowedUnsignedAttributePrefix: PREFIX,
            algorithmSuiteId,
            keyring,
          });
          const encrypted = await encryptor.encryptItem(item);
          const header = parseHeader((encrypted.aws_dbe_head as { B: Uint8Array }).B);
          expect(header.version).toBe(version);
          expect(header.algorithmSuiteId).toBe(algorithmSuiteId);
          for (const [name, action] of Object.entries(actions)) {
            if (action === 'ENCRYPT_AND_SIGN') expect(Object.keys(encrypted[name] as AttributeValue)).toEqual(['B']);
          }
          const decrypted = await encryptor.decryptItem(encrypted);
          expect(normalizeItem(decrypted)).toEqual(normalizeItem(item));
        }),
        { numRuns: 40 },
      );
    });
  });
});
