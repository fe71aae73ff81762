// `ddbec vectors decrypt` on the DB-ESDK decrypt manifests of the Java and .NET DB-ESDK, and
// `ddbec vectors encrypt` writing such a manifest from the round-trip inputs.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DbesdkItemEncryptor, RawAesKeyring } from 'ddbec/dbesdk';
import { toDynamoJson } from '../src/items.js';
import { ddbec, ddbecJson, repo } from './support.js';

const vectors = resolve(repo, '../shared/vectors/dbesdk');
const haveVectors = existsSync(join(vectors, 'keys.json'));
const describeVectors = haveVectors ? describe : describe.skip;
const dir = mkdtempSync(join(tmpdir(), 'ddbec-dbesdk-vectors-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describeVectors('ddbec vectors (DB-ESDK manifests)', () => {
  it.each([
    ['decrypt_java_32.json', 9],
    ['decrypt_java_33.json', 12],
    ['decrypt_dotnet_32.json', 9],
  ])('%s: every test passes, negative ones refused', async (file, tests) => {
    const result = await ddbec(['vectors', 'decrypt', join(vectors, file)]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`${tests} passed, 0 failed, 0 skipped`);
    if (file === 'decrypt_java_33.json') expect(result.stdout).toContain('#4 Change ENCRYPT_AND_SIGN to DO_NOTHING: ok (negative: refused with ERR_SIGNATURE_INVALID)');
  });

  it('a tampered item fails its positive test, and a negative test whose item decrypts fails', async () => {
    const manifest = JSON.parse(readFileSync(join(vectors, 'decrypt_java_33.json'), 'utf8')) as { tests: Record<string, { type: string; encrypted: Record<string, { B?: string }> }> };
    const first = manifest.tests['1'] as (typeof manifest.tests)[string];
    const stuff = Buffer.from(first.encrypted['Stuff']?.B ?? '', 'base64');
    stuff.writeUInt8((stuff.at(-1) ?? 0) ^ 1, stuff.length - 1);
    first.encrypted['Stuff'] = { B: stuff.toString('base64') };
    (manifest.tests['2'] as (typeof manifest.tests)[string]).type = 'negative-decrypt';
    writeFileSync(join(dir, 'tampered.json'), JSON.stringify(manifest));
    copyFileSync(join(vectors, 'keys.json'), join(dir, 'keys.json'));
    const { result, json } = await ddbecJson<{ passed: number; failed: number; scenarios: { name: string; status: string; detail: string }[] }>(['vectors', 'decrypt', join(dir, 'tampered.json')]);
    expect(result.code).toBe(1);
    expect(json).toMatchObject({ passed: 10, failed: 2 });
    expect(json.scenarios.filter((s) => s.status === 'fail').map((s) => [s.name, s.detail])).toEqual([
      ['#1 Basic encrypt', expect.stringMatching(/^refused with ERR_SIGNATURE_INVALID/) as unknown],
      ['#2 Change ENCRYPT_AND_SIGN to SIGN_ONLY', 'negative test, but the item decrypted'],
    ]);
  });

  it('vectors encrypt writes a decrypt manifest from configs.json and records.json that vectors decrypt reads back', async () => {
    const out = join(dir, 'written');
    const written = await ddbec(['vectors', 'encrypt', join(vectors, 'configs.json'), '--out', out]);
    expect(written.code, written.stderr).toBe(0);
    expect(written.stdout).toContain('config 0: skip: no attributeActionsOnEncrypt');
    expect(written.stdout).toContain('5 passed, 0 failed, 1 skipped');
    const manifest = JSON.parse(readFileSync(join(out, 'decrypt_ddbec.json'), 'utf8')) as { manifest: unknown; client: { name: string }; tests: Record<string, unknown> };
    expect(manifest.manifest).toEqual({ type: 'aws-dbesdk-decrypt', version: '1' });
    expect(manifest.client.name).toBe('ddbec');
    expect(Object.keys(manifest.tests)).toHaveLength(15);
    const read = await ddbec(['vectors', 'decrypt', join(out, 'decrypt_ddbec.json')]);
    expect(read.code, read.stdout).toBe(0);
    expect(read.stdout).toContain('15 passed, 0 failed, 0 skipped');
  });
});

describe('ddbec inspect (DB-ESDK items, without keys)', () => {
  it('decodes a raw-AES item: format version, suite, legend, encryption context and each data key', async () => {
    const encryptor = new DbesdkItemEncryptor({
      logicalTableName: 'orders',
      partitionKeyName: 'id',
      attributeActionsOnEncrypt: { id: 'SIGN_ONLY', total: 'ENCRYPT_AND_SIGN', state: 'SIGN_ONLY' },
      allowedUnsignedAttributes: ['seen'],
      algorithmSuiteId: 0x6700,
      keyring: new RawAesKeyring({ keyNamespace: 'acme', keyName: 'orders-key', wrappingKey: new Uint8Array(32) }),
    });
    const stored = await encryptor.encryptItem({ id: { S: 'o-1' }, total: { N: '12.5' }, state: { S: 'paid' } });
    const { result, json } = await ddbecJson(['inspect', '--item', JSON.stringify(toDynamoJson(stored))]);
    expect(result.code, result.stderr).toBe(0);
    expect(json).toMatchObject({
      provider: { type: 'dbesdk' },
      dbesdk: {
        formatVersion: 1,
        algorithmSuite: { id: '0x6700', name: 'DBE.ALG_AES_256_GCM_HKDF_SHA512_COMMIT_KEY_SYMSIG_HMAC_SHA384' },
        legend: [
          { attribute: 'id', action: 'SIGN_ONLY' },
          { attribute: 'state', action: 'SIGN_ONLY' },
          { attribute: 'total', action: 'ENCRYPT_AND_SIGN' },
        ],
        encryptedDataKeys: [{ providerId: 'acme', providerInfo: 'orders-key', ciphertextBytes: 96 }],
        footer: { bytes: 48, recipientTags: 1, signature: false },
      },
      attributes: { id: { classification: 'signed' }, total: { classification: 'encrypted' }, state: { classification: 'signed' } },
    });
  });

  it.runIf(haveVectors)('decodes a Java-written item (hierarchical keyring, version 2)', async () => {
    const manifest = JSON.parse(readFileSync(join(vectors, 'decrypt_java_33.json'), 'utf8')) as { tests: Record<string, { encrypted: unknown }> };
    writeFileSync(join(dir, 'java-item.json'), JSON.stringify({ Item: manifest.tests['11']?.encrypted }));
    const result = await ddbec(['inspect', join(dir, 'java-item.json')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('format version        2');
    expect(result.stdout).toContain('legend                Junk=ENCRYPT_AND_SIGN, Stuff=ENCRYPT_AND_SIGN, RecNum=SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT');
    expect(result.stdout).toMatch(/aws-kms-hierarchy +bd3842ff-3076-4092-9918-4395730050b8/);
  });
});
