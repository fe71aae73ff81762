// `ddbec keys generate --pkcs11`: keys made inside a SoftHSM2 token (its own directory), named by
// the configuration's "pkcs11" entry, with the PIN read from an environment variable.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findSoftHsmModule, initSoftHsmToken, type SoftHsmToken } from '@ddbec/local';
import { ddbec, ddbecJson, startStack } from './support.js';

const softHsm = findSoftHsmModule();
if (softHsm === undefined) console.warn('ddbec keys generate --pkcs11 tests skipped: SoftHSM2 is not installed (apt-get install softhsm2)');

describe.skipIf(softHsm === undefined)('ddbec keys generate --pkcs11', () => {
  let dir: string;
  let token: SoftHsmToken;
  let env: Record<string, string>;
  let config: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'ddbec-cli-softhsm-'));
    token = await initSoftHsmToken({ directory: dir, label: 'cli' });
    env = { SOFTHSM2_CONF: token.configPath, HSM_PIN: token.pin };
    config = join(dir, 'ddbec.config.json');
    writeFileSync(
      config,
      JSON.stringify({
        pkcs11: { module: token.module, tokenLabel: token.label, pin: { env: 'HSM_PIN' } },
        tables: { t: { tableName: 'hsm-items', partitionKey: 'pk', provider: { type: 'wrapped', wrappingKey: { pkcs11: { label: 'kek' } }, signingKey: { pkcs11: { label: 'mac' } } } } },
      }),
    );
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates sensitive, non-extractable keys in the token, with the usage asked for', async () => {
    const aes = await ddbecJson(['keys', 'generate', '--pkcs11', '--type', 'aes', '--label', 'kek', '--usage', 'wrap,unwrap', '--config', config], { env });
    expect(aes.result.code, aes.result.stderr).toBe(0);
    expect(aes.json).toMatchObject({ type: 'aes', label: 'kek', class: 'secret', extractable: false, sensitive: true, usage: ['wrap', 'unwrap'] });
    const mac = await ddbecJson(['keys', 'generate', '--pkcs11', '--type', 'hmac', '--label', 'mac', '--config', config], { env });
    expect(mac.json).toMatchObject({ algorithm: 'HmacSHA256', extractable: false, usage: ['sign', 'verify'] });
    const rsa = await ddbec(['keys', 'generate', '--pkcs11', '--type', 'rsa', '--label', 'rsa', '--bits', '2048', '--config', config], { env });
    expect(rsa.stdout).toMatch(/generated an RSA key pair "rsa" .* not extractable/);
    expect(rsa.stdout).toContain('{ "pkcs11": { "label": "rsa" }, "algorithm": "RSA" }');
    const again = await ddbec(['keys', 'generate', '--pkcs11', '--type', 'aes', '--label', 'kek', '--config', config], { env });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('already holds a key labelled "kek"');
  });

  it('scans a table whose keys are in the token on this thread only, whatever --threads says', async () => {
    const stack = await startStack();
    try {
      await stack.createTable('hsm-items', 'pk');
      const stackEnv = { ...env, ...stack.env };
      for (const pk of ['a', 'b', 'c']) {
        const put = await ddbec(['put', '--table', 't', '--config', config, '--item', JSON.stringify({ pk, secret: `s-${pk}` })], { env: stackEnv });
        expect(put.code, put.stderr).toBe(0);
      }
      const scan = await ddbecJson(['scan', '--table', 't', '--config', config, '--threads', '2', '--plain'], { env: stackEnv });
      expect(scan.result.code, scan.result.stderr).toBe(0);
      expect(scan.result.stderr).toContain('--threads ignored: the keys of hsm-items are in a PKCS#11 token');
      expect((scan.json as { Items: { pk: string; secret: string }[] }).Items.map((item) => `${item.pk}=${item.secret}`).sort()).toEqual(['a=s-a', 'b=s-b', 'c=s-c']);
    } finally {
      await stack.stop();
    }
  });

  it('says when the PIN is wrong or missing, and refuses --out with --pkcs11', async () => {
    const wrong = await ddbec(['keys', 'generate', '--pkcs11', '--type', 'aes', '--label', 'x', '--config', config], { env: { ...env, HSM_PIN: 'wrong' } });
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/CKR_PIN_INCORRECT/);
    const missing = await ddbec(['keys', 'generate', '--pkcs11', '--type', 'aes', '--label', 'x', '--config', config], { env: { SOFTHSM2_CONF: token.configPath } });
    expect(missing.stderr).toContain('HSM_PIN is not set');
    const both = await ddbec(['keys', 'generate', '--pkcs11', '--type', 'aes', '--label', 'x', '--out', join(dir, 'k'), '--config', config], { env });
    expect(both.code).toBe(2);
  });
});
