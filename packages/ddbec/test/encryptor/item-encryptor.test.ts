import { describe, expect, it } from 'vitest';
import {
  AttributeActions,
  CryptoAction,
  isDdbecError,
  ItemEncryptor,
  MATERIAL_DESCRIPTION_ATTRIBUTE,
  SecretKey,
  SIGNATURE_ATTRIBUTE,
  StaticMaterialsProvider,
  type CryptographicMaterialsProvider,
  type DdbecErrorCode,
  type Item,
} from '../../src/index.js';
import { decodeMaterialDescription, encodeMaterialDescription } from '../../src/format/index.js';
import { CONFIG, flipBit, ITEM, PROVIDERS, resignInPythonForm, staticEncryptor } from './helpers.js';

async function rejects(promise: Promise<unknown>, code: DdbecErrorCode): Promise<Error> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isDdbecError(error, code)) throw new Error(`expected ${code}, got ${String(error)}`, { cause: error });
  return error;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !ArrayBuffer.isView(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

describe.each(Object.entries(PROVIDERS))('ItemEncryptor with %s', (_name, provider) => {
  const encryptor = new ItemEncryptor({ materialsProvider: provider });

  it('round-trips an item of every type and stores encrypted attributes as binary', async () => {
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    expect(Object.keys(stored).sort()).toEqual([...Object.keys(ITEM), SIGNATURE_ATTRIBUTE, MATERIAL_DESCRIPTION_ATTRIBUTE].sort());
    for (const name of ['name', 'secretNumber', 'card', 'tags', 'nested']) {
      expect(stored[name]).toHaveProperty('B');
      expect(((stored[name] as { B: Uint8Array }).B.length - 16) % 16).toBe(0);
    }
    for (const name of ['pk', 'sk', 'plan', 'note']) expect(stored[name]).toBe(ITEM[name]);
    const read = await encryptor.decryptItem(stored, CONFIG);
    expect(read).toEqual({
      ...ITEM,
      secretNumber: { N: '1234.5' }, // encrypted numbers come back canonical
      tags: { SS: ['a', 'b'] }, // encrypted sets come back in serialized order
      nested: { M: { list: { L: [{ BOOL: true }, { NULL: true }, { NS: ['1', '2.5'] }] } } },
    });
  });

  it('never modifies the caller’s item', async () => {
    const item = deepFreeze(structuredClone(ITEM));
    const stored = deepFreeze(await encryptor.encryptItem(item, CONFIG));
    expect(item).toEqual(ITEM);
    await encryptor.decryptItem(stored, CONFIG);
  });

  it('uses a fresh IV for every attribute', async () => {
    const a = await encryptor.encryptItem(ITEM, CONFIG);
    const b = await encryptor.encryptItem(ITEM, CONFIG);
    expect(a['name']).not.toEqual(b['name']);
  });

  it.each([
    ['a flipped bit in an encrypted value', (s: Item) => flipBit(s, 'name', 20, 3)],
    ['a flipped bit in the IV of an encrypted value', (s: Item) => flipBit(s, 'card', 0, 0)],
    ['a changed sign-only value', (s: Item) => ({ ...s, plan: { S: 'prp' } })],
    ['a changed key value', (s: Item) => ({ ...s, sk: { N: '43' } })],
    ['a flipped bit in the signature', (s: Item) => flipBit(s, SIGNATURE_ATTRIBUTE, 7, 1)],
    ['a truncated signature', (s: Item) => ({ ...s, [SIGNATURE_ATTRIBUTE]: { B: (s[SIGNATURE_ATTRIBUTE] as { B: Uint8Array }).B.slice(1) } })],
    ['a renamed signed attribute', (s: Item) => renamed(s, 'plan', 'plan2')],
    ['a renamed encrypted attribute', (s: Item) => renamed(s, 'name', 'fullName')],
    ['a removed signed attribute', (s: Item) => without(s, 'plan')],
    ['a removed encrypted attribute', (s: Item) => without(s, 'card')],
    ['an added attribute that the actions sign', (s: Item) => ({ ...s, extra: { S: 'x' } })],
    ['an encrypted value swapped with another', (s: Item) => ({ ...s, name: s['card'], card: s['name'] }) as Item],
  ])('rejects %s with ERR_SIGNATURE_INVALID', async (_what, tamper) => {
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    await rejects(encryptor.decryptItem(tamper(stored), CONFIG), 'ERR_SIGNATURE_INVALID');
  });

  it('rejects a changed action and a different table name', async () => {
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    const planIgnored = new AttributeActions({ attributeActions: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', plan: 'DO_NOTHING', note: 'DO_NOTHING' } });
    await rejects(encryptor.decryptItem(stored, { ...CONFIG, attributeActions: planIgnored }), 'ERR_SIGNATURE_INVALID');
    const otherTable = { ...CONFIG.encryptionContext, tableName: 'customers-copy' };
    await rejects(encryptor.decryptItem(stored, { ...CONFIG, encryptionContext: otherTable }), 'ERR_SIGNATURE_INVALID');
  });

  it('accepts changes to do-nothing attributes', async () => {
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    expect((await encryptor.decryptItem({ ...stored, note: { S: 'changed' } }, CONFIG))['note']).toEqual({ S: 'changed' });
    expect(await encryptor.decryptItem(without(stored, 'note'), CONFIG)).not.toHaveProperty('note');
    const onlyNoteIsFree = new AttributeActions({ defaultAction: 'ENCRYPT_AND_SIGN', attributeActions: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', plan: 'SIGN_ONLY', note: 'DO_NOTHING', added: 'DO_NOTHING' } });
    const withAdded = await encryptor.decryptItem({ ...stored, added: { N: '1' } }, { ...CONFIG, attributeActions: onlyNoteIsFree });
    expect(withAdded['added']).toEqual({ N: '1' });
  });

  it('rejects an unknown cipher mode in the material description', async () => {
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    const description = decodeMaterialDescription((stored[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B);
    description.set('amzn-ddb-map-sym-mode', '/GCM/NoPadding');
    const tampered = { ...stored, [MATERIAL_DESCRIPTION_ATTRIBUTE]: { B: encodeMaterialDescription(description) } };
    await rejects(encryptor.decryptItem(tampered, CONFIG), 'ERR_UNSUPPORTED_ALGORITHM');
  });

  it('rejects a flipped bit in the material description version', async () => {
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    await rejects(encryptor.decryptItem(flipBit(stored, MATERIAL_DESCRIPTION_ATTRIBUTE, 2, 5), CONFIG), 'ERR_MATERIAL_DESCRIPTION');
  });

  it('never returns a different plaintext when any bit of the material description is flipped', async () => {
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    const expected = await encryptor.decryptItem(stored, CONFIG);
    const length = (stored[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B.length;
    // Every byte, one bit each (rotating), keeps the test fast also for RSA.
    for (let i = 0; i < length; i += 1) {
      const result = await encryptor.decryptItem(flipBit(stored, MATERIAL_DESCRIPTION_ATTRIBUTE, i, i % 8), CONFIG).then(
        (item) => item,
        (error: unknown) => {
          if (!isDdbecError(error)) throw error;
          return undefined;
        },
      );
      if (result !== undefined) expect(result).toEqual(expected);
    }
  });

  it('refuses plaintext items that use the reserved attribute names', async () => {
    for (const name of [SIGNATURE_ATTRIBUTE, MATERIAL_DESCRIPTION_ATTRIBUTE]) {
      await rejects(encryptor.encryptItem({ ...ITEM, [name]: { S: 'x' } }, CONFIG), 'ERR_RESERVED_ATTRIBUTE');
    }
  });

  it('refuses to encrypt a partition or sort key', async () => {
    for (const key of ['pk', 'sk']) {
      const actions = new AttributeActions({ attributeActions: { [key === 'pk' ? 'sk' : 'pk']: CryptoAction.SignOnly } });
      const error = await rejects(encryptor.encryptItem(ITEM, { ...CONFIG, attributeActions: actions }), 'ERR_KEY_ATTRIBUTE_ENCRYPTED');
      expect(error.message).toContain(`"${key}"`);
    }
  });
});

describe('ItemEncryptor', () => {
  const encryptor = staticEncryptor();

  it('requires a table name to sign', async () => {
    await rejects(encryptor.encryptItem(ITEM, { ...CONFIG, encryptionContext: { partitionKeyName: 'pk', sortKeyName: 'sk' } }), 'ERR_MISSING_TABLE_NAME');
  });

  it('reads items signed without a table name by Java ("null") or Python ("None")', async () => {
    for (const placeholder of ['null', 'None']) {
      const stored = await encryptor.encryptItem(ITEM, { ...CONFIG, encryptionContext: { ...CONFIG.encryptionContext, tableName: placeholder } });
      const noTable = { partitionKeyName: 'pk', sortKeyName: 'sk' };
      expect(await encryptor.decryptItem(stored, { ...CONFIG, encryptionContext: noTable })).toHaveProperty('name', { S: 'Ada Lovelace' });
    }
  });

  it('applies table-name overrides on both sides', async () => {
    const overriding = new ItemEncryptor({ materialsProvider: encryptor.materialsProvider, tableNameOverrides: { 'customers-v2': 'customers' } });
    const v2 = { ...CONFIG, encryptionContext: { ...CONFIG.encryptionContext, tableName: 'customers-v2' } };
    const stored = await overriding.encryptItem(ITEM, v2);
    await expect(encryptor.decryptItem(stored, CONFIG)).resolves.toHaveProperty('plan');
    await expect(overriding.decryptItem(stored, v2)).resolves.toHaveProperty('plan');
    await rejects(encryptor.decryptItem(stored, v2), 'ERR_SIGNATURE_INVALID');
  });

  it('signs each item with its own table name, though table markers are cached across encryptors', async () => {
    const other = staticEncryptor();
    const config = (tableName: string): typeof CONFIG => ({ ...CONFIG, encryptionContext: { ...CONFIG.encryptionContext, tableName } });
    const stored: Record<string, Item> = {};
    for (const [table, writer] of [['orders', encryptor], ['invoices', other], ['orders', other], ['invoices', encryptor]] as const) {
      stored[`${table} ${writer === encryptor ? 1 : 2}`] = await writer.encryptItem(ITEM, config(table));
    }
    for (const [key, item] of Object.entries(stored)) {
      const table = key.split(' ')[0] as string;
      for (const reader of [encryptor, other]) {
        await expect(reader.decryptItem(item, config(table))).resolves.toHaveProperty('name', { S: 'Ada Lovelace' });
        await rejects(reader.decryptItem(item, config(table === 'orders' ? 'invoices' : 'orders')), 'ERR_SIGNATURE_INVALID');
      }
    }
  });

  it('passes items through unchanged when no action is taken', async () => {
    const none = { ...CONFIG, attributeActions: AttributeActions.takeNoActions() };
    const stored = await encryptor.encryptItem(ITEM, none);
    expect(stored).toEqual(ITEM);
    expect(stored).not.toBe(ITEM);
    expect(await encryptor.decryptItem(stored, none)).toEqual(ITEM);
  });

  it('requires a signature on read', async () => {
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    await rejects(encryptor.decryptItem(without(stored, SIGNATURE_ATTRIBUTE), CONFIG), 'ERR_MALFORMED_ITEM');
    await rejects(encryptor.decryptItem({ ...stored, [SIGNATURE_ATTRIBUTE]: { S: 'abc' } }, CONFIG), 'ERR_MALFORMED_ITEM');
  });

  it('refuses an encrypted attribute that is not binary, after verifying', async () => {
    const signOnlyName = new AttributeActions({ attributeActions: { pk: 'SIGN_ONLY', sk: 'SIGN_ONLY', plan: 'SIGN_ONLY', note: 'DO_NOTHING', name: 'SIGN_ONLY' } });
    const stored = await encryptor.encryptItem(ITEM, { ...CONFIG, attributeActions: signOnlyName });
    // Signed as plaintext, read as encrypted: the signature (which covers the action) fails first.
    await rejects(encryptor.decryptItem(stored, CONFIG), 'ERR_SIGNATURE_INVALID');
  });

  it('says which item failed but never echoes plaintext or key material', async () => {
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    const error = await rejects(encryptor.decryptItem({ ...stored, plan: { S: 'enterprise' } }, CONFIG), 'ERR_SIGNATURE_INVALID');
    expect(error.message).toContain('customers');
    expect(error.message).toContain('customer#1');
    for (const secret of ['Ada', 'enterprise', 'pro', '1234']) expect(error.message).not.toContain(secret);
  });

  it('refuses an HMAC item whose description names another MAC algorithm', async () => {
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    const description = decodeMaterialDescription((stored[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B);
    description.set('amzn-ddb-map-signingAlg', 'HmacSHA512');
    const tampered = { ...stored, [MATERIAL_DESCRIPTION_ATTRIBUTE]: { B: encodeMaterialDescription(description) } };
    await rejects(encryptor.decryptItem(tampered, CONFIG), 'ERR_SIGNATURE_INVALID');
    description.set('amzn-ddb-map-signingAlg', 'HmacMD5');
    const unknown = { ...stored, [MATERIAL_DESCRIPTION_ATTRIBUTE]: { B: encodeMaterialDescription(description) } };
    await rejects(encryptor.decryptItem(unknown, CONFIG), 'ERR_UNSUPPORTED_ALGORITHM');
  });

  it('checks what a provider returns', async () => {
    const broken: CryptographicMaterialsProvider = {
      getEncryptionMaterials: () => Promise.resolve(undefined as never),
      getDecryptionMaterials: () => Promise.resolve({ materialDescription: new Map(), verificationKey: undefined as never }),
    };
    const withBroken = new ItemEncryptor({ materialsProvider: broken });
    await rejects(withBroken.encryptItem(ITEM, CONFIG), 'ERR_MATERIALS_UNAVAILABLE');
    await rejects(withBroken.decryptItem(await encryptor.encryptItem(ITEM, CONFIG), CONFIG), 'ERR_MATERIALS_UNAVAILABLE');
  });

  it('refuses sign-only materials when an attribute must be encrypted', async () => {
    const signOnly = new ItemEncryptor({ materialsProvider: new StaticMaterialsProvider({ signingKey: SecretKey.generate('HmacSHA256', 256) }) });
    await rejects(signOnly.encryptItem(ITEM, CONFIG), 'ERR_ENCRYPTION_FAILED');
    const everythingSigned = { ...CONFIG, attributeActions: new AttributeActions({ defaultAction: 'SIGN_ONLY' }) };
    const stored = await signOnly.encryptItem(ITEM, everythingSigned);
    expect(await signOnly.decryptItem(stored, everythingSigned)).toEqual(ITEM);
  });

  it('checks static provider description entries on read', async () => {
    const key = SecretKey.generate('AES', 128);
    const mac = SecretKey.generate('HmacSHA256', 128);
    const v1 = new ItemEncryptor({ materialsProvider: new StaticMaterialsProvider({ encryptionKey: key, signingKey: mac, materialDescription: { keyset: 'v1' } }) });
    const v2 = new ItemEncryptor({ materialsProvider: new StaticMaterialsProvider({ encryptionKey: key, signingKey: mac, materialDescription: { keyset: 'v2' } }) });
    const stored = await v1.encryptItem(ITEM, CONFIG);
    await expect(v1.decryptItem(stored, CONFIG)).resolves.toHaveProperty('name');
    await rejects(v2.decryptItem(stored, CONFIG), 'ERR_MATERIALS_UNAVAILABLE');
  });
});

describe('ItemEncryptor material descriptions kept from item to item', () => {
  const key = SecretKey.generate('AES', 128);
  const mac = SecretKey.generate('HmacSHA256', 128);

  it('writes the current entries of a description map that a provider changes between items', async () => {
    const description = new Map([['keyset', 'v1']]);
    const provider: CryptographicMaterialsProvider = {
      getEncryptionMaterials: () => Promise.resolve({ materialDescription: description, encryptionKey: key, signingKey: mac }),
      getDecryptionMaterials: () => Promise.resolve({ materialDescription: description, decryptionKey: key, verificationKey: mac }),
    };
    const encryptor = new ItemEncryptor({ materialsProvider: provider });
    const keysetOf = (stored: Item): string | undefined =>
      decodeMaterialDescription((stored[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B).get('keyset');
    const first = await encryptor.encryptItem(ITEM, CONFIG);
    const again = await encryptor.encryptItem(ITEM, CONFIG);
    description.set('keyset', 'v2');
    const changed = await encryptor.encryptItem(ITEM, CONFIG);
    description.set('rotation', '3');
    const grown = await encryptor.encryptItem(ITEM, CONFIG);
    expect([first, again, changed].map(keysetOf)).toEqual(['v1', 'v1', 'v2']);
    expect(decodeMaterialDescription((grown[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B).get('rotation')).toBe('3');
    // each item has its own copy of the bytes
    expect((first[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B).not.toBe((again[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B);
  });

  it('gives providers a read-only decoded description, shared by items that store the same bytes', async () => {
    const seen: ReadonlyMap<string, string>[] = [];
    const inner = new StaticMaterialsProvider({ encryptionKey: key, signingKey: mac, materialDescription: { keyset: 'v1' } });
    const provider: CryptographicMaterialsProvider = {
      getEncryptionMaterials: () => inner.getEncryptionMaterials(),
      getDecryptionMaterials: (context) => {
        seen.push(context.materialDescription);
        expect(() => (context.materialDescription as Map<string, string>).set('keyset', 'v2')).toThrow();
        expect(() => (context.materialDescription as Map<string, string>).delete('keyset')).toThrow();
        expect(() => {
          (context.materialDescription as Map<string, string>).clear();
        }).toThrow();
        return inner.getDecryptionMaterials(context);
      },
    };
    const encryptor = new ItemEncryptor({ materialsProvider: provider });
    const stored = await encryptor.encryptItem(ITEM, CONFIG);
    await encryptor.decryptItem(stored, CONFIG);
    await encryptor.decryptItem(await encryptor.encryptItem(ITEM, CONFIG), CONFIG);
    expect(seen[1]).toBe(seen[0]);
    expect(seen[0]?.get('keyset')).toBe('v1');
    // an item with other bytes is decoded afresh
    const other = { ...stored, [MATERIAL_DESCRIPTION_ATTRIBUTE]: { B: encodeMaterialDescription(new Map([...(seen[0] ?? []), ['keyset', 'v2']])) } };
    await rejects(encryptor.decryptItem(other, CONFIG), 'ERR_MATERIALS_UNAVAILABLE');
    expect(seen[2]?.get('keyset')).toBe('v2');
  });
});

describe('Java/Python serialization divergences (legacy-format §2.9)', () => {
  const signAll = { ...CONFIG, attributeActions: new AttributeActions({ defaultAction: 'SIGN_ONLY', attributeActions: { secret: 'ENCRYPT_AND_SIGN' } }) };
  // Values both forms sign without losing anything, only in another order or sign of zero.
  const awkward: Item = {
    pk: { S: 'k' },
    sk: { N: '1' },
    negativeZero: { N: '-0.0' },
    bytes: { BS: [new Uint8Array([0x01]), new Uint8Array([0x80])] },
    strings: { SS: ['\u{10000}', '\u{E000}'] },
    secret: { N: '12345678901234567890123456789012345678' },
  };
  const LONG = '12345678901234567890123456789012345678';
  const LONG_ROUNDED = '12345678901234567890123456790000000000';
  const java = staticEncryptor();
  const python = new ItemEncryptor({ materialsProvider: java.materialsProvider, signingProfile: 'python' });
  const lenient = new ItemEncryptor({ materialsProvider: java.materialsProvider, acceptPythonRoundedNumbers: true });

  it('reads items signed either way and never changes stored values', async () => {
    for (const [writer, reader] of [
      [java, python],
      [python, java],
      [java, java],
      [python, python],
    ] as const) {
      const stored = await writer.encryptItem(awkward, signAll);
      await expect(reader.decryptItem(stored, signAll)).resolves.toEqual(awkward);
    }
  });

  it('still rejects tampering of such items', async () => {
    const stored = await python.encryptItem(awkward, signAll);
    await rejects(java.decryptItem({ ...stored, bytes: { BS: [new Uint8Array([0x02]), new Uint8Array([0x80])] } }, signAll), 'ERR_SIGNATURE_INVALID');
    await rejects(java.decryptItem({ ...stored, strings: { SS: ['\u{10000}', '\u{E001}'] } }, signAll), 'ERR_SIGNATURE_INVALID');
  });

  it('refuses a number changed to one that rounds to the signed value (issue reproduction)', async () => {
    const cfg = { encryptionContext: { tableName: 't', partitionKeyName: 'pk' }, attributeActions: new AttributeActions({ defaultAction: CryptoAction.SignOnly }) };
    const stored = await java.encryptItem({ pk: { S: 'a' }, amount: { N: '5' } }, cfg);
    const tampered = { ...stored, amount: { N: '4.9999999999999999999999999999' } };
    const error = await rejects(java.decryptItem(tampered, cfg), 'ERR_UNPROTECTED_NUMBER_DIGITS');
    expect(error.message).toContain('"amount"');
    expect(error.message).not.toContain('4.99');
    // The reader option returns only what the signature covers: the original 5.
    await expect(lenient.decryptItem(tampered, cfg)).resolves.toEqual({ pk: { S: 'a' }, amount: { N: '5' } });
  });

  it('keeps every digit of items signed in the Java form', async () => {
    const stored = await java.encryptItem({ ...awkward, long: { N: LONG } }, signAll);
    await expect(java.decryptItem(stored, signAll)).resolves.toHaveProperty('long', { N: LONG });
    await expect(lenient.decryptItem(stored, signAll)).resolves.toHaveProperty('long', { N: LONG });
    const changed = `${LONG.slice(0, -1)}9`;
    await rejects(lenient.decryptItem({ ...stored, long: { N: changed } }, signAll), 'ERR_SIGNATURE_INVALID');
  });

  it('refuses Python-signed numbers of more than 28 digits by default, and returns them rounded as signed on request', async () => {
    const plain = { ...awkward, long: { N: LONG }, nested: { L: [{ NS: [LONG, '7'] }, { M: { n: { N: `-${LONG}` } } }] } };
    const stored = resignInPythonForm(await java.encryptItem(plain, signAll), signAll);
    const error = await rejects(java.decryptItem(stored, signAll), 'ERR_UNPROTECTED_NUMBER_DIGITS');
    expect(error.message).not.toContain(LONG.slice(0, 20));
    const read = await lenient.decryptItem(stored, signAll);
    expect(read['long']).toEqual({ N: LONG_ROUNDED });
    expect(read['nested']).toEqual({ L: [{ NS: [LONG_ROUNDED, '7'] }, { M: { n: { N: `-${LONG_ROUNDED}` } } }] });
    expect(read['secret']).toEqual(awkward['secret']); // encrypted: the ciphertext is signed whole
    // Digits past the 28th can be changed by anyone, so they are never returned.
    const changed = await lenient.decryptItem({ ...stored, long: { N: `${LONG.slice(0, -1)}9` } }, signAll);
    expect(changed['long']).toEqual({ N: LONG_ROUNDED });
    // Items whose numbers have at most 28 digits verify exactly as before.
    const short = resignInPythonForm(await java.encryptItem({ ...plain, long: { N: LONG.slice(0, 28) }, nested: { NULL: true } }, signAll), signAll);
    await expect(java.decryptItem(short, signAll)).resolves.toHaveProperty('long', { N: LONG.slice(0, 28) });
  });

  it('signingProfile python refuses to sign a number whose last digits it would not protect', async () => {
    const error = await rejects(python.encryptItem({ ...awkward, long: { N: LONG } }, signAll), 'ERR_UNPROTECTED_NUMBER_DIGITS');
    expect(error.message).toContain('"long"');
    // Encrypted numbers are fine: the ciphertext is signed, and Python reads the exact value.
    await expect(python.encryptItem(awkward, signAll)).resolves.toBeDefined();
  });

  describe("signingProfile 'portable'", () => {
    const portable = new ItemEncryptor({ materialsProvider: java.materialsProvider, signingProfile: 'portable' });
    const base: Item = { pk: { S: 'k' }, sk: { N: '1' }, plain: { S: 'x' }, secret: { SS: ['\u{10000}', '\u{E000}'] } };

    it('writes items both forms sign alike, in the Java form', async () => {
      const stored = await portable.encryptItem({ ...base, n: { N: '1.5' }, b: { BS: [new Uint8Array([1]), new Uint8Array([2])] } }, signAll);
      await expect(java.decryptItem(stored, signAll)).resolves.toHaveProperty('n', { N: '1.5' });
      expect(resignInPythonForm(stored, signAll)[SIGNATURE_ATTRIBUTE]).toEqual(stored[SIGNATURE_ATTRIBUTE]);
    });

    it.each([
      ['n', { N: LONG }, /more than 28 significant digits/],
      ['n', { NS: ['1', LONG] }, /more than 28 significant digits/],
      ['n', { N: `1.${'0'.repeat(38)}` }, /more than 38 digits/],
      ['z', { N: '-0' }, /negative zero/],
      ['z', { L: [{ M: { a: { N: '-0.00' } } }] }, /negative zero/],
      ['b', { BS: [new Uint8Array([0x01]), new Uint8Array([0x80])] }, /binary set/],
      ['s', { SS: ['\u{10000}', '\u{E000}'] }, /string set/],
      ['m', { M: { '\u{10000}': { S: '1' }, '\u{E000}': { S: '2' } } }, /map whose keys/],
    ] as const)('refuses attribute %s = %j before writing', async (name, value, reason) => {
      const error = await rejects(portable.encryptItem({ ...base, [name]: value } as Item, signAll), 'ERR_NOT_PORTABLE');
      expect(error.message).toContain(`"${name}"`);
      expect(error.message).toMatch(reason);
    });

    it('refuses before the materials provider is asked (it may call AWS KMS)', async () => {
      let asked = 0;
      const counting: CryptographicMaterialsProvider = {
        getEncryptionMaterials: (context) => (asked++, java.materialsProvider.getEncryptionMaterials(context)),
        getDecryptionMaterials: (context) => java.materialsProvider.getDecryptionMaterials(context),
      };
      for (const [signingProfile, value] of [['portable', { N: '-0' }], ['python', { N: LONG }]] as const) {
        await expect(new ItemEncryptor({ materialsProvider: counting, signingProfile }).encryptItem({ ...base, n: value }, signAll)).rejects.toThrow();
      }
      expect(asked).toBe(0);
    });

    it('refuses attribute names that Java and Python order differently, unless they are not signed', async () => {
      const item: Item = { ...base, '\u{10000}': { S: 'a' }, '\u{E000}': { S: 'b' } };
      await expect(portable.encryptItem(item, signAll)).rejects.toThrow(/signed attribute names mix/);
      const unsigned = {
        ...signAll,
        attributeActions: new AttributeActions({ defaultAction: 'SIGN_ONLY', attributeActions: { secret: 'ENCRYPT_AND_SIGN', '\u{10000}': 'DO_NOTHING' } }),
      };
      await expect(portable.encryptItem(item, unsigned)).resolves.toBeDefined();
    });
  });
});

function renamed(item: Item, from: string, to: string): Item {
  const { [from]: value, ...rest } = item;
  return { ...rest, [to]: value } as Item;
}

function without(item: Item, name: string): Item {
  const { [name]: _removed, ...rest } = item;
  return rest;
}
