/**
 * The DB-ESDK tamper suite: over items written with both keyrings, both suites and both header
 * versions, any change to a signed or encrypted value, to a header or footer byte, to an
 * encrypted data key, to the table name, and the removal, addition or swapping of signed
 * attributes is refused with a ddbec error; changes to do-nothing attributes are accepted and
 * returned as changed.
 *
 * Changes that alter the encryption context (a key value in version 1, a
 * SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT value, the table name) leave no keyring able to unwrap
 * the data key (ERR_UNWRAPPING_FAILED); everything else fails the header commitment or the
 * footer (ERR_SIGNATURE_INVALID) or the header's syntax (ERR_MALFORMED_ITEM).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DbesdkCryptoAction } from '../../src/dbesdk/config.js';
import { DbesdkItemEncryptor } from '../../src/dbesdk/item-encryptor.js';
import { isDdbecError } from '../../src/errors.js';
import type { AttributeValue, Item } from '../../src/format/attribute-value.js';
import type { Keyring } from '../../src/keyrings/types.js';
import { attributeValueArb, normalize, normalizeItem } from '../support/arbitraries.js';
import { KEYRINGS } from './helpers.js';

const INTEGRITY: readonly string[] = ['ERR_SIGNATURE_INVALID', 'ERR_MALFORMED_ITEM', 'ERR_UNWRAPPING_FAILED'];

interface Setup {
  readonly encryptor: DbesdkItemEncryptor;
  readonly actions: Record<string, DbesdkCryptoAction>;
  readonly item: Item;
}

function setup(keyring: Keyring, algorithmSuiteId: 0x6700 | 0x6701, version: 1 | 2, values: readonly AttributeValue[], tableName = 'Table'): Setup {
  const keyAction: DbesdkCryptoAction = version === 2 ? 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' : 'SIGN_ONLY';
  const actions: Record<string, DbesdkCryptoAction> = {
    pk: keyAction,
    e1: 'ENCRYPT_AND_SIGN',
    e2: 'ENCRYPT_AND_SIGN',
    s1: 'SIGN_ONLY',
    n1: 'DO_NOTHING',
    ...(version === 2 ? { c1: 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT' as const } : {}),
  };
  const [e1, e2, s1, n1, c1] = values as [AttributeValue, AttributeValue, AttributeValue, AttributeValue, AttributeValue];
  const item: Item = { pk: { S: 'p#1' }, e1, e2, s1, n1, ...(version === 2 ? { c1 } : {}) };
  const encryptor = new DbesdkItemEncryptor({
    logicalTableName: tableName,
    partitionKeyName: 'pk',
    attributeActionsOnEncrypt: actions,
    allowedUnsignedAttributes: ['n1'],
    algorithmSuiteId,
    keyring,
  });
  return { encryptor, actions, item };
}

async function refusal(encryptor: DbesdkItemEncryptor, item: Item): Promise<string> {
  return encryptor.decryptItem(item).then(
    () => 'accepted',
    (error: unknown) => (isDdbecError(error) ? error.code : String(error)),
  );
}

function flipped(bytes: Uint8Array, index: number, bit = 0): Uint8Array {
  const out = bytes.slice();
  out[index] = (out[index] as number) ^ (1 << bit);
  return out;
}

const binaryOf = (value: AttributeValue | undefined): Uint8Array => (value as { B: Uint8Array }).B;
const valuesArb = fc.array(attributeValueArb, { minLength: 5, maxLength: 5 });
const differentValue = (value: AttributeValue) => attributeValueArb.filter((v) => JSON.stringify(normalize(v)) !== JSON.stringify(normalize(value)));

const COMBINATIONS = KEYRINGS.flatMap(([name, keyring]) =>
  ([0x6700, 0x6701] as const).flatMap((suite) => ([1, 2] as const).map((version) => ({ name, keyring, suite, version }))),
);

describe.each(COMBINATIONS)('tampering ($name keyring, suite $suite, version $version)', ({ keyring: makeKeyring, suite, version }) => {
  const keyring = makeKeyring();

  it('every single-bit change of any header or footer byte is refused', async () => {
    const { encryptor, item } = setup(keyring, suite, version, [{ S: 'a' }, { N: '1' }, { BOOL: true }, { NULL: true }, { S: 'ctx' }]);
    const encrypted = await encryptor.encryptItem(item);
    for (const attribute of ['aws_dbe_head', 'aws_dbe_foot']) {
      const bytes = binaryOf(encrypted[attribute]);
      for (let i = 0; i < bytes.length; i++) {
        const code = await refusal(encryptor, { ...encrypted, [attribute]: { B: flipped(bytes, i, i % 8) } });
        expect(INTEGRITY, `${attribute} byte ${i}: ${code}`).toContain(code);
      }
      for (const cut of [bytes.subarray(0, bytes.length - 1), new Uint8Array([...bytes, 0])]) {
        expect(INTEGRITY).toContain(await refusal(encryptor, { ...encrypted, [attribute]: { B: cut } }));
      }
    }
  });

  it('a changed, removed, added or swapped signed attribute is refused; a changed do-nothing attribute is returned', async () => {
    await fc.assert(
      fc.asyncProperty(valuesArb, fc.nat(), fc.nat(), attributeValueArb, async (values, which, bit, extra) => {
        const { encryptor, item, actions } = setup(keyring, suite, version, values);
        const encrypted = await encryptor.encryptItem(item);
        const signed = Object.keys(actions).filter((n) => actions[n] !== 'DO_NOTHING');
        const name = signed[which % signed.length] as string;

        // a bit of the stored value (ciphertext of an encrypted attribute, or the serialized plaintext)
        if (actions[name] === 'ENCRYPT_AND_SIGN') {
          const stored = binaryOf(encrypted[name]);
          expect(INTEGRITY).toContain(await refusal(encryptor, { ...encrypted, [name]: { B: flipped(stored, bit % stored.length, bit % 8) } }));
        } else {
          const other = fc.sample(differentValue(encrypted[name] as AttributeValue), { numRuns: 1, seed: bit })[0] as AttributeValue;
          expect(INTEGRITY).toContain(await refusal(encryptor, { ...encrypted, [name]: other }));
        }
        // removed (a missing key attribute is refused before anything else)
        const { [name]: _removed, ...without } = encrypted;
        expect([...INTEGRITY, 'ERR_INVALID_ARGUMENT']).toContain(await refusal(encryptor, without));
        // added
        expect(INTEGRITY).toContain(await refusal(encryptor, { ...encrypted, added: extra }));
        // swapped encrypted values
        expect(INTEGRITY).toContain(await refusal(encryptor, { ...encrypted, e1: encrypted.e2 as AttributeValue, e2: encrypted.e1 as AttributeValue }));
        // do-nothing: accepted, returned as changed
        const decrypted = await encryptor.decryptItem({ ...encrypted, n1: extra });
        expect(normalizeItem(decrypted)).toEqual(normalizeItem({ ...item, n1: extra }));
      }),
      { numRuns: 15 },
    );
  });

  it("another table's name, another item's header or footer, and a stripped signature are refused", async () => {
    const values: AttributeValue[] = [{ S: 'a' }, { S: 'b' }, { S: 'c' }, { S: 'd' }, { S: 'e' }];
    const { encryptor, item } = setup(keyring, suite, version, values);
    const encrypted = await encryptor.encryptItem(item);
    const other = await encryptor.encryptItem(item);
    expect(INTEGRITY).toContain(await refusal(setup(keyring, suite, version, values, 'Other').encryptor, encrypted));
    expect(INTEGRITY).toContain(await refusal(encryptor, { ...encrypted, aws_dbe_head: other.aws_dbe_head as AttributeValue }));
    expect(INTEGRITY).toContain(await refusal(encryptor, { ...encrypted, aws_dbe_foot: other.aws_dbe_foot as AttributeValue }));
    const { aws_dbe_foot: _foot, ...unsigned } = encrypted;
    expect(await refusal(encryptor, unsigned)).toBe('ERR_MALFORMED_ITEM');
    expect(await refusal(encryptor, { ...encrypted, aws_dbe_head: { S: 'x' } })).toBe('ERR_MALFORMED_ITEM');
  });
});
