import { resolve } from 'node:path';
import { decryptScenarios, encryptScenarios, type ScenarioResult } from '../vectors/run.js';
import { EXIT, type Io } from '../io.js';

export interface VectorsDecryptOptions {
  readonly scenarios: string;
  readonly kmsEndpoint?: string | undefined;
  readonly json?: boolean;
}

/** `ddbec vectors decrypt`: one line per scenario, then `N passed, M failed, K skipped`. */
export async function vectorsDecrypt(options: VectorsDecryptOptions, io: Io): Promise<number> {
  const results = await decryptScenarios(resolve(options.scenarios), {
    kmsEndpoint: options.kmsEndpoint,
    onResult: options.json ? undefined : (result) => io.stdout.write(`${line(result)}\n`),
  });
  return summarize(results, options.json === true, io);
}

export interface VectorsEncryptOptions {
  readonly scenarios: string;
  readonly out: string;
  readonly kmsEndpoint?: string | undefined;
  readonly json?: boolean;
}

/** `ddbec vectors encrypt`: writes a vector set that other implementations can decrypt. */
export async function vectorsEncrypt(options: VectorsEncryptOptions, io: Io): Promise<number> {
  const results = await encryptScenarios(resolve(options.scenarios), {
    outDir: resolve(options.out),
    kmsEndpoint: options.kmsEndpoint,
    onResult: options.json ? undefined : (result) => io.stdout.write(`${line(result)}\n`),
  });
  if (!options.json) io.stdout.write(`wrote ${resolve(options.out, 'scenarios.json')}\n`);
  return summarize(results, options.json === true, io);
}

function line(result: ScenarioResult): string {
  switch (result.status) {
    case 'ok':
      return `${result.name}: ok (${result.detail})`;
    case 'fail':
      return `${result.name}: FAIL: ${result.detail}`;
    case 'skip':
      return `${result.name}: skip: ${result.detail}`;
  }
}

function summarize(results: readonly ScenarioResult[], json: boolean, io: Io): number {
  const count = (status: ScenarioResult['status']): number => results.filter((r) => r.status === status).length;
  const passed = count('ok');
  const failed = count('fail');
  const skipped = count('skip');
  if (json) io.stdout.write(`${JSON.stringify({ passed, failed, skipped, scenarios: results }, null, 2)}\n`);
  else io.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  return failed === 0 ? EXIT.ok : EXIT.failed;
}
