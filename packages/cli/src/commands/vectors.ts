import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SigningProfile } from 'ddbec';
import type { Difference } from '../vectors/compare.js';
import { decryptDbesdkManifest, encryptDbesdkManifest, isDbesdkConfigs, isDbesdkManifest } from '../vectors/dbesdk.js';
import { decryptScenarios, encryptScenarios, type ScenarioResult } from '../vectors/run.js';
import { EXIT, UsageError, type Io } from '../io.js';
import { flag, str, type CommandSpec } from '../spec.js';

export interface VectorsDecryptOptions {
  readonly scenarios: string;
  readonly kmsEndpoint?: string | undefined;
  /** Print the expected and actual value of every differing attribute. */
  readonly verbose?: boolean;
  readonly json?: boolean;
}

/** Said once, before the first scenario that the Python client wrote. */
export const PYTHON_READER_NOTE =
  'python/ scenarios are read with acceptPythonRoundedNumbers (the Python client signs numbers of more than 28 digits rounded) and compared with what the Python writer stores';

/**
 * `ddbec vectors decrypt`: one line per scenario, then one per failed item (with `verbose`, one
 * more per differing attribute), then `N passed, M failed, K skipped`.
 */
export async function vectorsDecrypt(options: VectorsDecryptOptions, io: Io): Promise<number> {
  let noted = false;
  const print = (result: ScenarioResult): void => {
    if (result.acceptPythonRoundedNumbers === true && !noted) {
      io.stdout.write(`${PYTHON_READER_NOTE}\n`);
      noted = true;
    }
    io.stdout.write(`${line(result)}\n`);
    for (const failure of result.items ?? []) {
      const differences = failure.differences ?? [];
      io.stdout.write(`  ${failure.item}: ${failure.error ?? `${differences.map((d) => `"${d.attribute}"`).join(', ')} differ`}\n`);
      if (options.verbose) for (const difference of differences) io.stdout.write(`    ${differenceText(difference)}\n`);
    }
  };
  const path = resolve(options.scenarios);
  const results = isDbesdkManifest(path)
    ? await decryptDbesdkManifest(path, options.json ? undefined : print)
    : await decryptScenarios(path, { kmsEndpoint: options.kmsEndpoint, onResult: options.json ? undefined : print });
  return summarize(results, options.json === true, io);
}

function differenceText({ attribute, expected, actual, rounded }: Difference): string {
  const show = (value: Difference['expected']): string => (value === undefined ? 'no such attribute' : vectorJson(value));
  return `"${attribute}": expected ${show(expected)}${rounded ? ' (rounded as the Python writer stores it)' : ''}, got ${show(actual)}`;
}

/** JSON with binary values in base64, as the vector files write them. */
function vectorJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, member: unknown) => (member instanceof Uint8Array ? Buffer.from(member).toString('base64') : member), indent);
}

const SIGNING_PROFILES: readonly SigningProfile[] = ['java', 'python', 'portable'];

export interface VectorsEncryptOptions {
  readonly scenarios: string;
  readonly out: string;
  readonly kmsEndpoint?: string | undefined;
  readonly signingProfile?: SigningProfile | undefined;
  readonly json?: boolean;
}

/** `ddbec vectors encrypt`: writes a vector set that other implementations can decrypt. */
export async function vectorsEncrypt(options: VectorsEncryptOptions, io: Io): Promise<number> {
  const path = resolve(options.scenarios);
  if (isDbesdkConfigs(path)) {
    const results = await encryptDbesdkManifest(path, {
      outDir: resolve(options.out),
      clientVersion: (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version,
      onResult: options.json ? undefined : (result) => io.stdout.write(`${line(result)}\n`),
    });
    if (!options.json) io.stdout.write(`wrote ${resolve(options.out, 'decrypt_ddbec.json')}\n`);
    return summarize(results, options.json === true, io);
  }
  const results = await encryptScenarios(resolve(options.scenarios), {
    outDir: resolve(options.out),
    kmsEndpoint: options.kmsEndpoint,
    signingProfile: options.signingProfile,
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
  if (json) io.stdout.write(`${vectorJson({ passed, failed, skipped, scenarios: results }, 2)}\n`);
  else io.stdout.write(`${passed} passed, ${failed} failed, ${skipped} skipped\n`);
  return failed === 0 ? EXIT.ok : EXIT.failed;
}

const KMS_ENDPOINT = {
  'kms-endpoint': { type: 'string', value: 'URL', description: 'a KMS endpoint for the AWS KMS scenarios (e.g. the local KMS); without it they are skipped' },
} as const;

export const vectorsCommands: readonly CommandSpec[] = [
  {
    name: 'vectors decrypt',
    summary: 'decrypt a Java/Python-format vector set, or a DB-ESDK decrypt manifest, and compare with its plaintext (exit 1 on any failure)',
    args: '<scenarios.json|manifest.json>',
    positionals: [1, 1],
    options: { ...KMS_ENDPOINT, verbose: { type: 'boolean', description: 'print the expected and actual value of every differing attribute' } },
    groups: ['json'],
    details: [
      'One line per scenario, one more per stored item that was refused (with the error) or differs from its plaintext (naming every differing attribute), then `N passed, M failed, K skipped`. MetaStore scenarios run offline over the vector set’s MetaStore dump.',
      'A DB-ESDK decrypt manifest (`"manifest": {"type": "aws-dbesdk-decrypt"}`, as the Java and .NET DB-ESDK write them) runs offline with the hierarchical keyring over the static branch key of its keys file: one line per test; a positive test passes when the item decrypts to its plaintext, a negative one when decryption is refused.',
      'Scenarios under `ciphertext/python/` are compared with what the Python writer stores: numbers of encrypted and signed attributes with 29–38 significant digits rounded half-even to 28 (legacy-format §2.3). They are read with the reader option `acceptPythonRoundedNumbers`, because the Python client signs such numbers rounded; the output says so in one line.',
    ],
    examples: [
      'ddbec vectors decrypt ../shared/vectors/legacy/encrypted_item/scenarios.json',
      'ddbec vectors decrypt /tmp/python-vectors/scenarios.json --verbose',
      'ddbec vectors decrypt ../shared/vectors/dbesdk/decrypt_java_33.json',
    ],
    run: ({ values, positionals }, io) =>
      vectorsDecrypt({ scenarios: positionals[0] as string, kmsEndpoint: str(values, 'kms-endpoint'), verbose: flag(values, 'verbose'), json: flag(values, 'json') }, io),
  },
  {
    name: 'vectors encrypt',
    summary: 'encrypt the plaintexts of a vector set with ddbec into a new vector set (or the DB-ESDK round-trip inputs into a DB-ESDK decrypt manifest), for the reference clients to check',
    args: '<scenarios.json|configs.json>',
    positionals: [1, 1],
    options: {
      out: { type: 'string', value: 'DIR', description: 'where to write the new vector set' },
      'signing-profile': {
        type: 'string',
        value: 'PROFILE',
        description:
          'the ItemEncryptor’s signingProfile: java (default: the Java form), python (the Python form, which the Python client verifies) or portable (the Java form; items whose Python form differs are refused)',
      },
      ...KMS_ENDPOINT,
    },
    groups: ['json'],
    details: [
      'Given the DB-ESDK round-trip inputs (`configs.json` with `tableEncryptionConfigs`, and `records.json` and `keys.json` beside it), encrypts every record under every configuration that has attribute actions (beacons are not written) with the hierarchical keyring over the static branch key, and writes the decrypt manifest `decrypt_ddbec.json` and a copy of `keys.json` into --out; `ddbec vectors decrypt` (or the DB-ESDK’s own runner) reads it back.',
    ],
    examples: [
      'ddbec vectors encrypt ../shared/vectors/legacy/encrypted_item/scenarios.json --out /tmp/ddbec-vectors',
      'ddbec vectors encrypt ../shared/vectors/dbesdk/configs.json --out /tmp/ddbec-dbesdk && ddbec vectors decrypt /tmp/ddbec-dbesdk/decrypt_ddbec.json',
      'ddbec vectors encrypt ../shared/vectors/legacy/encrypted_item/scenarios.json --out /tmp/ddbec-python --signing-profile python',
    ],
    run: ({ values, positionals }, io) => {
      const out = str(values, 'out');
      if (out === undefined) throw new UsageError('vectors encrypt needs --out <dir>');
      const profile = str(values, 'signing-profile');
      if (profile !== undefined && !SIGNING_PROFILES.includes(profile as SigningProfile)) {
        throw new UsageError(`--signing-profile must be one of ${SIGNING_PROFILES.join(', ')}`);
      }
      return vectorsEncrypt(
        { scenarios: positionals[0] as string, out, kmsEndpoint: str(values, 'kms-endpoint'), signingProfile: profile as SigningProfile | undefined, json: flag(values, 'json') },
        io,
      );
    },
  },
];
