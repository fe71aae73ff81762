// The vector runner and the Python client's number rounding (legacy-format §2.3): sets written
// the way the Python client writes numbers of more than 28 significant digits, and the
// `--signing-profile` of `ddbec vectors encrypt` checked by a verifier that knows only the
// Python form of the string to sign.
import { createHash, createHmac, createPublicKey, verify } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AttributeActions, CryptoAction, generateRsaKeyPair, ItemEncryptor, MaterialDescriptionKey, RsaPublicKey, SecretKey, type Item } from 'ddbec';
import { decodeMaterialDescription, roundAsPythonSigns, stringToSign, type AttributeValue } from 'ddbec/format';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PYTHON_READER_NOTE } from '../src/commands/vectors.js';
import { expandPlaintext, fromVectorItem, readJson, resolveUri, toVectorItem, type KeyEntry, type PlaintextFile, type ScenariosFile } from '../src/vectors/manifest.js';
import { buildProvider } from '../src/vectors/providers.js';
import { ddbec, ddbecJson, repo } from './support.js';

/** 34, 30 and 30 significant digits: Python stores 1234567890123456789012345679000000, -0.0001234567890123456789012345679 and 1E+29. */
const LONG = '1234567890123456789012345678901234';
const FRACTION = '-0.000123456789012345678901234567895';
const NINES = '99999999999999999999999999999.5';

const bytes = (key: { exportBytes(): Uint8Array } | { exportDer(): Uint8Array }): string =>
  Buffer.from('exportBytes' in key ? key.exportBytes() : key.exportDer()).toString('base64');

function keysFile(): Record<string, KeyEntry> {
  const encryption = generateRsaKeyPair(2048, 'RSA');
  const signing = generateRsaKeyPair(2048, 'SHA256withRSA');
  return {
    aesKey: { material: bytes(SecretKey.generate('AES', 256)), algorithm: 'AES', encoding: 'RAW', type: 'symmetric' },
    hmacKey: { material: bytes(SecretKey.generate('HmacSHA256', 256)), algorithm: 'HmacSHA256', encoding: 'RAW', type: 'symmetric' },
    rsaEncPub: { material: bytes(encryption.publicKey), algorithm: 'RSA', encoding: 'DER', type: 'public' },
    rsaEncPriv: { material: bytes(encryption.privateKey), algorithm: 'RSA', encoding: 'DER', type: 'private' },
    rsaSignPub: { material: bytes(signing.publicKey), algorithm: 'SHA256withRSA', encoding: 'DER', type: 'public' },
    rsaSignPriv: { material: bytes(signing.privateKey), algorithm: 'SHA256withRSA', encoding: 'DER', type: 'private' },
  };
}

/** One item per action set, each with long numbers in every shape (plain, set member, nested). */
function plaintextFile(): PlaintextFile {
  const item = (rangeKey: number, action: string): PlaintextFile['items'][string]['items'][number] => ({
    attributes: {
      hashKey: { N: '20' },
      rangeKey: { N: String(rangeKey) },
      long: { N: LONG },
      fraction: { N: FRACTION },
      set: { NS: [LONG, '7', NINES] },
      nested: { M: { a: { N: NINES }, b: { L: [{ N: FRACTION }, { S: 'x' }] } } },
      signed: { N: FRACTION },
      signedSet: { NS: [NINES, '1'] },
      untouched: { N: LONG },
      text: { S: 's' },
      short: { N: '1.50' },
    },
    action,
    exact: true,
  });
  return {
    actions: {
      encrypt: { default: 'encrypt' },
      sign: { default: 'sign' },
      mixed: { default: 'encrypt', override: { signed: 'sign', signedSet: 'sign', untouched: 'nothing' } },
      nothing: { default: 'nothing' },
    },
    items: {
      TableName: {
        index: { partition: 'hashKey', sort: 'rangeKey' },
        index_types: { hashKey: 'N', rangeKey: 'N' },
        items: [item(1, 'encrypt'), item(2, 'sign'), item(3, 'mixed'), item(4, 'nothing')],
      },
    },
    versions: {},
    attributes: {},
  };
}

const SCENARIOS: ScenariosFile = {
  plaintext: 'file://plaintext.json',
  keys: 'file://keys.json',
  scenarios: [
    { version: 'v0', provider: 'static', keys: { decrypt: 'aesKey', verify: 'hmacKey' }, plaintext: 'file://plaintext.json', ciphertext: 'file://ciphertext/python/static-aes-hmac-1.json', network: false },
    {
      version: 'v0',
      provider: 'wrapped',
      keys: { encrypt: 'rsaEncPub', decrypt: 'rsaEncPriv', verify: 'rsaSignPub', sign: 'rsaSignPriv' },
      plaintext: 'file://plaintext.json',
      ciphertext: 'file://ciphertext/python/wrapped-rsa-rsa-1.json',
      network: false,
    },
  ],
};

const writeJson = (path: string, data: unknown): void => {
  writeFileSync(path, `${JSON.stringify(data, null, 2)}\n`);
};

/**
 * A vector set as the Python client writes it: encrypted numbers serialized rounded to 28
 * digits (so they decrypt rounded), sign-only numbers stored exactly but signed rounded (the
 * Python form of the string to sign). ddbec's `python` profile refuses to sign such numbers, so
 * the items are signed with the rounded values, which the exact ones then replace: the Python
 * form of both is the same.
 */
async function writePythonSet(dir: string): Promise<void> {
  mkdirSync(join(dir, 'ciphertext/python'), { recursive: true });
  const keys = keysFile();
  const plaintext = plaintextFile();
  writeJson(join(dir, 'keys.json'), keys);
  writeJson(join(dir, 'plaintext.json'), plaintext);
  writeJson(join(dir, 'scenarios.json'), SCENARIOS);
  const scenariosPath = join(dir, 'scenarios.json');
  for (const scenario of SCENARIOS.scenarios) {
    const setup = await buildProvider(scenario, keys, { scenariosPath, mode: 'encrypt' });
    if ('skip' in setup) throw new Error(setup.skip);
    const encryptor = new ItemEncryptor({ materialsProvider: setup.provider, signingProfile: 'python' });
    const stored: Record<string, unknown>[] = [];
    for (const item of expandPlaintext(plaintext, scenario.version).get('TableName')?.items ?? []) {
      const actions = new AttributeActions(item.actions);
      const rounded: Item = {};
      for (const [name, value] of Object.entries(item.attributes)) {
        rounded[name] = actions.actionOf(name) === CryptoAction.DoNothing ? value : roundAsPythonSigns(value);
      }
      const encrypted = await encryptor.encryptItem(rounded, {
        encryptionContext: { tableName: 'TableName', partitionKeyName: 'hashKey', sortKeyName: 'rangeKey' },
        attributeActions: actions,
      });
      for (const [name, value] of Object.entries(item.attributes)) {
        if (actions.actionOf(name) === CryptoAction.SignOnly) encrypted[name] = value;
      }
      stored.push(toVectorItem(encrypted));
    }
    writeJson(resolveUri(scenariosPath, scenario.ciphertext), { TableName: stored });
  }
}

describe('vectors decrypt of a set the Python client wrote with numbers of more than 28 digits', () => {
  const root = mkdtempSync(join(tmpdir(), 'ddbec-python-vectors-'));
  const python = join(root, 'python-set');
  beforeAll(async () => {
    await writePythonSet(python);
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** A copy of the Python set, changed by `change`. */
  const variant = (name: string, change: (dir: string) => void): string => {
    const dir = join(root, name);
    cpSync(python, dir, { recursive: true });
    change(dir);
    return join(dir, 'scenarios.json');
  };

  it('compares with what the Python writer stores, reads with acceptPythonRoundedNumbers, and says so once', async () => {
    const run = await ddbec(['vectors', 'decrypt', join(python, 'scenarios.json')]);
    expect(run.stderr).toBe('');
    expect(run.stdout.trim().split('\n')).toEqual([PYTHON_READER_NOTE, 'python/static-aes-hmac-1: ok (4 items)', 'python/wrapped-rsa-rsa-1: ok (4 items)', '2 passed, 0 failed, 0 skipped']);
    expect(run.code).toBe(0);
    const { json } = await ddbecJson<{ scenarios: { acceptPythonRoundedNumbers?: boolean }[] }>(['vectors', 'decrypt', join(python, 'scenarios.json')]);
    expect(json.scenarios.map((s) => s.acceptPythonRoundedNumbers)).toEqual([true, true]);
  });

  it('reports every differing attribute of every item, with the values under --verbose', async () => {
    // The plaintext file changed: `text` everywhere, and `long` in its 28th digit (so that also its rounded form changes).
    const changed = LONG.slice(0, 27) + '9' + LONG.slice(28);
    const scenarios = variant('changed-plaintext', (dir) => {
      const plaintext = readJsonSync(join(dir, 'plaintext.json')) as PlaintextFile;
      for (const entry of plaintext.items['TableName']?.items ?? []) Object.assign(entry.attributes, { text: { S: 'S' }, long: { N: changed } });
      writeJson(join(dir, 'plaintext.json'), plaintext);
    });
    const run = await ddbec(['vectors', 'decrypt', scenarios, '--verbose']);
    const key = (range: number): string => `TableName hashKey={"N":"20"} rangeKey={"N":"${String(range)}"}`;
    const item = (range: number, long: string, rounded: boolean): string[] => [
      `  ${key(range)}: "long", "text" differ`,
      `    "long": expected {"N":"${long}"}${rounded ? ' (rounded as the Python writer stores it)' : ''}, got {"N":"${range === 4 ? LONG : '1234567890123456789012345679000000'}"}`,
      `    "text": expected {"S":"S"}, got {"S":"s"}`,
    ];
    const rounded = '1234567890123456789012345680000000';
    const failures = [...item(1, rounded, true), ...item(2, rounded, true), ...item(3, rounded, true), ...item(4, changed, false)];
    expect(run.stdout.trim().split('\n')).toEqual([
      PYTHON_READER_NOTE,
      'python/static-aes-hmac-1: FAIL: 4 of 4 items failed',
      ...failures,
      'python/wrapped-rsa-rsa-1: FAIL: 4 of 4 items failed',
      ...failures,
      '0 passed, 2 failed, 0 skipped',
    ]);
    expect(run.code).toBe(1);
    // Without --verbose: the item lines, no values.
    const quiet = await ddbec(['vectors', 'decrypt', scenarios]);
    expect(quiet.stdout).toContain(`\n  ${key(4)}: "long", "text" differ\npython/wrapped-rsa-rsa-1: FAIL: 4 of 4 items failed\n`);
    expect(quiet.stdout).not.toContain('expected');
  });

  it('compares other sets exactly and reads them without the reader option', async () => {
    const scenarios = variant('not-python', (dir) => {
      renameSync(join(dir, 'ciphertext/python'), join(dir, 'ciphertext/other'));
      writeFileSync(join(dir, 'scenarios.json'), readFileSync(join(dir, 'scenarios.json'), 'utf8').replaceAll('ciphertext/python/', 'ciphertext/other/'));
    });
    const { result, json } = await ddbecJson<{ scenarios: { name: string; acceptPythonRoundedNumbers?: boolean; items?: { item: string; error?: string; differences?: { attribute: string; expected?: unknown; actual?: unknown; rounded: boolean }[] }[] }[] }>([
      'vectors',
      'decrypt',
      scenarios,
    ]);
    expect(result.code).toBe(1);
    for (const scenario of json.scenarios) {
      expect(scenario.acceptPythonRoundedNumbers).toBeUndefined();
      const [encrypted, signed, mixed, ...rest] = scenario.items ?? [];
      expect(rest).toEqual([]);
      // Encrypted numbers decrypt as Python stored them: rounded, so they differ from the exact plaintext.
      expect(encrypted?.differences?.map((d) => d.attribute)).toEqual(['fraction', 'long', 'nested', 'set', 'signed', 'signedSet', 'untouched']);
      expect(encrypted?.differences?.[0]).toEqual({ attribute: 'fraction', expected: { N: FRACTION }, actual: { N: '-0.0001234567890123456789012345679' }, rounded: false });
      // Sign-only numbers whose digits the Python signature does not cover: refused.
      expect(signed?.error).toMatch(/^ERR_UNPROTECTED_NUMBER_DIGITS: /);
      expect(mixed?.error).toMatch(/^ERR_UNPROTECTED_NUMBER_DIGITS: /);
    }
  });
});

function readJsonSync(path: string): unknown {
  return JSON.parse(readFileSync(path, 'utf8'));
}

const publicScenarios = resolve(repo, '../shared/vectors/legacy/encrypted_item/scenarios.json');

(existsSync(publicScenarios) ? describe : describe.skip)('vectors encrypt --signing-profile', () => {
  const root = mkdtempSync(join(tmpdir(), 'ddbec-signing-profile-'));
  /** The public set plus one item that Java and Python sign differently (binary-set order, string-set order). */
  const source = join(root, 'source');
  beforeAll(() => {
    mkdirSync(source);
    const dir = resolve(publicScenarios, '..');
    for (const file of ['scenarios.json', 'keys.json']) cpSync(join(dir, file), join(source, file));
    const plaintext = readJsonSync(join(dir, 'plaintext.json')) as PlaintextFile;
    plaintext.items['TableName']?.items.push({
      attributes: { hashKey: { N: '30' }, rangeKey: { N: '1' }, bytes: { BS: ['AQ==', 'gA=='] }, strings: { SS: ['\u{E000}', '\u{10000}'] } },
      action: 'sign',
      exact: true,
    });
    writeJson(join(source, 'plaintext.json'), plaintext);
  });
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  /** Verifies every written item with the Python form of the string to sign only. */
  async function verifyInPythonForm(dir: string): Promise<{ verified: number; refused: string[]; unsigned: number }> {
    const scenariosPath = join(dir, 'scenarios.json');
    const manifest = await readJson<ScenariosFile>(scenariosPath);
    const keys = await readJson<Record<string, KeyEntry>>(join(dir, 'keys.json'));
    const plaintext = await readJson<PlaintextFile>(join(dir, 'plaintext.json'));
    const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());
    let verified = 0;
    let unsigned = 0;
    const refused: string[] = [];
    for (const scenario of manifest.scenarios) {
      const setup = await buildProvider(scenario, keys, { scenariosPath, mode: 'decrypt' });
      if ('skip' in setup) throw new Error(setup.skip);
      const tables = expandPlaintext(plaintext, scenario.version);
      const ciphertext = await readJson<Record<string, Record<string, unknown>[]>>(resolveUri(scenariosPath, scenario.ciphertext));
      for (const [tableName, items] of Object.entries(ciphertext)) {
        const table = tables.get(tableName);
        if (table === undefined) throw new Error(tableName);
        for (const [index, stored] of items.map(fromVectorItem).entries()) {
          const actions = new AttributeActions(table.items[index]?.actions);
          const { ['*amzn-ddb-map-sig*']: signature, ['*amzn-ddb-map-desc*']: description, ...attributes } = stored;
          if (signature === undefined || description === undefined) {
            expect(actions.takesNoActions).toBe(true);
            unsigned += 1;
            continue;
          }
          const materialDescription = decodeMaterialDescription(binary(description));
          const materials = await setup.provider.getDecryptionMaterials({
            tableName,
            partitionKeyName: table.partitionKey,
            sortKeyName: table.sortKey,
            attributes,
            materialDescription,
          });
          const toSign = stringToSign({ tableName, item: attributes, actionOf: (name) => actions.actionOf(name), sha256, profile: 'python' });
          const key = materials.verificationKey;
          expect(materialDescription.get(MaterialDescriptionKey.SigningAlgorithm)).toBe(key instanceof SecretKey ? 'HmacSHA256' : 'SHA256withRSA');
          if (!(key instanceof SecretKey || key instanceof RsaPublicKey)) throw new Error('the vector providers use software keys');
          const ok =
            key instanceof SecretKey
              ? createHmac('sha256', key.exportBytes()).update(toSign).digest().equals(binary(signature))
              : verify('sha256', toSign, createPublicKey({ key: Buffer.from(key.exportDer()), format: 'der', type: 'spki' }), binary(signature));
          if (ok) verified += 1;
          else refused.push(`${scenario.ciphertext} ${JSON.stringify(stored['hashKey'])}`);
        }
      }
    }
    return { verified, refused, unsigned };
  }

  // Per scenario 17 items (the public ones and ours), one of them (action "nothing") unsigned.
  it('python: every item of every public scenario verifies in the Python form', async () => {
    const out = join(root, 'python');
    const run = await ddbec(['vectors', 'encrypt', join(source, 'scenarios.json'), '--out', out, '--signing-profile', 'python']);
    expect(run.stdout.trim().split('\n').at(-1)).toBe('18 passed, 0 failed, 4 skipped');
    expect(await verifyInPythonForm(out)).toEqual({ verified: 18 * 16, refused: [], unsigned: 18 });
  });

  it('java (the default): our item does not verify in the Python form, the public ones do', async () => {
    const out = join(root, 'java');
    const run = await ddbec(['vectors', 'encrypt', join(source, 'scenarios.json'), '--out', out]);
    expect(run.code).toBe(0);
    const result = await verifyInPythonForm(out);
    expect(result).toMatchObject({ verified: 18 * 15, unsigned: 18 });
    expect(result.refused).toHaveLength(18);
    for (const item of result.refused) expect(item).toMatch(/ \{"N":"30"\}$/);
  });

  it('portable: the public items are written and verify in the Python form; ours is refused, naming the attribute', async () => {
    const out = join(root, 'portable');
    const run = await ddbec(['vectors', 'encrypt', publicScenarios, '--out', out, '--signing-profile', 'portable']);
    expect(run.stdout.trim().split('\n').at(-1)).toBe('18 passed, 0 failed, 4 skipped');
    expect(await verifyInPythonForm(out)).toEqual({ verified: 18 * 15, refused: [], unsigned: 18 });
    const { result, json } = await ddbecJson<{ scenarios: { status: string; detail: string }[] }>([
      'vectors',
      'encrypt',
      join(source, 'scenarios.json'),
      '--out',
      join(root, 'portable-ours'),
      '--signing-profile',
      'portable',
    ]);
    expect(result.code).toBe(1);
    const failed = json.scenarios.filter((scenario) => scenario.status === 'fail');
    expect(failed).toHaveLength(18);
    for (const scenario of failed) expect(scenario.detail).toMatch(/^ERR_NOT_PORTABLE: attribute "bytes" /);
  });

  it('refuses an unknown profile', async () => {
    const run = await ddbec(['vectors', 'encrypt', join(source, 'scenarios.json'), '--out', join(root, 'x'), '--signing-profile', 'ruby']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--signing-profile must be one of java, python, portable');
  });
});

function binary(value: AttributeValue): Uint8Array {
  if (!('B' in value)) throw new Error('not binary');
  return value.B;
}
