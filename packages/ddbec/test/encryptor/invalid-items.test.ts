// ItemEncryptor refuses an item DynamoDB would refuse — also when the bad value is encrypted, where
// DynamoDB would only have seen ciphertext — before asking the provider for materials.
import { describe, expect, it } from 'vitest';
import {
  AttributeActions,
  CryptoAction,
  isDdbecError,
  ItemEncryptor,
  type CryptographicMaterialsProvider,
  type CryptoConfig,
  type Item,
} from '../../src/index.js';
import { canonicalizeNumber } from '../../src/format/index.js';
import { CONFIG, ITEM, PROVIDERS } from './helpers.js';

/** The static provider, counting the encryption materials it hands out. */
function countingProvider(): { provider: CryptographicMaterialsProvider; calls: () => number } {
  const inner = PROVIDERS['static AES + HMAC'] as CryptographicMaterialsProvider;
  let calls = 0;
  const provider: CryptographicMaterialsProvider = {
    getEncryptionMaterials: (context) => {
      calls++;
      return inner.getEncryptionMaterials(context);
    },
    getDecryptionMaterials: (context) => inner.getDecryptionMaterials(context),
  };
  return { provider, calls: () => calls };
}

async function refusal(item: Item, config: CryptoConfig = CONFIG): Promise<{ message: string; materials: number }> {
  const { provider, calls } = countingProvider();
  const error = await new ItemEncryptor({ materialsProvider: provider }).encryptItem(item, config).catch((e: unknown) => e);
  expect(isDdbecError(error, 'ERR_INVALID_ITEM'), String(error)).toBe(true);
  return { message: (error as Error).message, materials: calls() };
}

const thirtyNineDigits = '123456789012345678901234567890123456789';

describe('ItemEncryptor.encryptItem refuses items DynamoDB would refuse', () => {
  it('a number of 39 significant digits in an encrypted attribute (the issue’s reproduction)', async () => {
    const { message, materials } = await refusal({ ...ITEM, secretNumber: { N: thirtyNineDigits } });
    expect(message).toMatch(/^attribute "secretNumber": more than 38 significant digits/);
    expect(message).not.toContain('1234567890');
    expect(materials).toBe(0);
  });

  it('out-of-range numbers, empty sets and duplicate members in encrypted values, nested too', async () => {
    const cases: [Item, string][] = [
      [{ secretNumber: { N: '1E+126' } }, 'attribute "secretNumber": magnitude above'],
      [{ secretNumber: { N: '1E-131' } }, 'attribute "secretNumber": magnitude below 1E-130'],
      [{ tags: { SS: [] } }, 'attribute "tags": empty string set'],
      [{ tags: { SS: ['a', 'a'] } }, 'attribute "tags": duplicate members in a string set'],
      [{ prices: { NS: ['1', '1.0'] } }, 'attribute "prices": duplicate members in a number set'],
      [{ prices: { NS: ['1', thirtyNineDigits] } }, 'attribute "prices" (member of a number set): more than 38 significant digits'],
      [{ nested: { M: { list: { L: [{ NULL: true }, { BS: [] }] } } } }, 'attribute "nested" (list element [1], in a map value): empty binary set'],
    ];
    for (const [change, expected] of cases) {
      const { message, materials } = await refusal({ ...ITEM, ...change });
      expect(message).toContain(expected);
      expect(materials).toBe(0);
    }
  });

  it('whatever the attribute’s action: sign-only, do-nothing, and tables that take no action', async () => {
    expect((await refusal({ ...ITEM, plan: { NS: [] } })).message).toContain('attribute "plan": empty number set');
    expect((await refusal({ ...ITEM, note: { N: thirtyNineDigits } })).message).toContain('attribute "note": more than 38');
    const nothing: CryptoConfig = { ...CONFIG, attributeActions: new AttributeActions({ defaultAction: CryptoAction.DoNothing }) };
    expect((await refusal({ ...ITEM, note: { SS: [] } }, nothing)).message).toContain('attribute "note": empty string set');
  });

  it('an empty or oversized key value named by the encryption context', async () => {
    expect((await refusal({ ...ITEM, pk: { S: '' } })).message).toContain('attribute "pk": the partition key is empty');
    expect((await refusal({ ...ITEM, sk: { B: new Uint8Array(1025) } })).message).toContain('attribute "sk": the sort key is longer than 1024 bytes');
  });

  it('still encrypts items at DynamoDB’s limits', async () => {
    const encryptor = new ItemEncryptor({ materialsProvider: PROVIDERS['static AES + HMAC'] as CryptographicMaterialsProvider });
    const item: Item = {
      ...ITEM,
      secretNumber: { N: `9.${'9'.repeat(37)}E+125` },
      tiny: { N: '-1E-130' },
      prices: { NS: ['1', '10', '0.1', '0'] },
      tags: { SS: ['', 'a'] },
    };
    const stored = await encryptor.encryptItem(item, CONFIG);
    const read = await encryptor.decryptItem(stored, CONFIG);
    expect(read['secretNumber']).toEqual({ N: canonicalizeNumber(`9.${'9'.repeat(37)}E+125`) });
    expect(read['tiny']).toEqual({ N: canonicalizeNumber('-1E-130') });
  });
});
