import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AttributeActions, CryptoAction, isDdbecError, ItemEncryptor, MATERIAL_DESCRIPTION_ATTRIBUTE, SIGNATURE_ATTRIBUTE, type CryptographicMaterialsProvider, type Item } from '../../src/index.js';
import { itemArb, normalizeItem } from '../support/arbitraries.js';
import { flipBit, PROVIDERS } from './helpers.js';

const encryptor = new ItemEncryptor({ materialsProvider: PROVIDERS['static AES + HMAC'] as CryptographicMaterialsProvider });
const actionArb = fc.constantFrom(CryptoAction.EncryptAndSign, CryptoAction.SignOnly, CryptoAction.DoNothing);

/** An item and an action for each of its attributes. */
const itemWithActionsArb = itemArb.chain((item) =>
  fc
    .tuple(actionArb, fc.array(actionArb, { minLength: Object.keys(item).length, maxLength: Object.keys(item).length }))
    .map(([defaultAction, list]) => {
      const overrides = new Map(Object.keys(item).map((name, i) => [name, list[i] ?? defaultAction]));
      return { item, actions: new AttributeActions({ defaultAction, attributeActions: overrides }) };
    }),
);
const configFor = (attributeActions: AttributeActions) => ({ encryptionContext: { tableName: 'table' }, attributeActions });

describe('ItemEncryptor properties', () => {
  it('decrypt(encrypt(item)) is the item, for random items and actions', async () => {
    await fc.assert(
      fc.asyncProperty(itemWithActionsArb, async ({ item, actions }) => {
        const stored = await encryptor.encryptItem(item, configFor(actions));
        const read = await encryptor.decryptItem(stored, configFor(actions));
        expect(normalizeItem(read)).toEqual(normalizeItem(item));
        // Sign-only and do-nothing attributes are stored exactly as given.
        for (const name of Object.keys(item)) {
          if (actions.actionOf(name) !== CryptoAction.EncryptAndSign) expect(stored[name]).toBe(item[name]);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('any flipped bit in a signed attribute or the signature is rejected', async () => {
    await fc.assert(
      fc.asyncProperty(itemWithActionsArb, fc.nat(), fc.nat(), fc.integer({ min: 0, max: 7 }), async ({ item, actions }, pick, byte, bit) => {
        const stored = await encryptor.encryptItem(item, configFor(actions));
        const binary = Object.keys(stored).filter((name) => {
          const value = stored[name];
          const signed = name === SIGNATURE_ATTRIBUTE || (name !== MATERIAL_DESCRIPTION_ATTRIBUTE && actions.actionOf(name) !== CryptoAction.DoNothing);
          return signed && value !== undefined && 'B' in value && value.B.length > 0;
        });
        const target = binary[pick % binary.length];
        if (target === undefined) return;
        const tampered: Item = flipBit(stored, target, byte, bit);
        const outcome = await encryptor.decryptItem(tampered, configFor(actions)).then(
          () => 'accepted',
          (error: unknown) => (isDdbecError(error) ? error.code : String(error)),
        );
        expect(outcome).toBe('ERR_SIGNATURE_INVALID');
      }),
      { numRuns: 150 },
    );
  });
});
