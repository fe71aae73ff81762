/**
 * SoftHSM2 as the local PKCS#11 token: a configuration and token directory of its own (never
 * the system's `/etc/softhsm` and `/var/lib/softhsm`), and a token initialised in it. Keys are
 * then made with `ddbec/pkcs11` (`Pkcs11Token.generate…`, or `ddbec keys generate --pkcs11`).
 *
 * SoftHSM2 reads its configuration from the `SOFTHSM2_CONF` environment variable when the
 * module is initialised, once per process: set it (to `configPath`) in the environment of the
 * process that opens the token, before it does.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where Debian, Ubuntu and Homebrew put the SoftHSM2 PKCS#11 module. */
const MODULE_PATHS = [
  '/usr/lib/softhsm/libsofthsm2.so',
  '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so',
  '/usr/local/lib/softhsm/libsofthsm2.so',
  '/opt/homebrew/lib/softhsm/libsofthsm2.so',
];

/** The SoftHSM2 module's path, or undefined when SoftHSM2 is not installed (`apt-get install softhsm2`). */
export function findSoftHsmModule(): string | undefined {
  return MODULE_PATHS.find((path) => existsSync(path));
}

export interface SoftHsmTokenOptions {
  /** Directory for the configuration file and the token store (created if missing). */
  readonly directory: string;
  /** Token label (default `ddbec`). */
  readonly label?: string;
  /** User PIN (default `1234`: a local, throw-away token). */
  readonly pin?: string;
  /** Security officer PIN (default `5678`). */
  readonly soPin?: string;
}

export interface SoftHsmToken {
  /** The SoftHSM2 PKCS#11 module. */
  readonly module: string;
  /** Set `SOFTHSM2_CONF` to this before the module is loaded. */
  readonly configPath: string;
  readonly label: string;
  readonly pin: string;
}

/**
 * Initialises a SoftHSM2 token labelled `label` in `directory` (with `softhsm2-util`), unless
 * one with that label is already there. Throws when SoftHSM2 is not installed.
 */
export async function initSoftHsmToken(options: SoftHsmTokenOptions): Promise<SoftHsmToken> {
  const module = findSoftHsmModule();
  if (module === undefined) throw new Error('SoftHSM2 is not installed (apt-get install softhsm2)');
  const directory = resolve(options.directory);
  const tokens = join(directory, 'tokens');
  await mkdir(tokens, { recursive: true });
  const configPath = join(directory, 'softhsm2.conf');
  await writeFile(configPath, `directories.tokendir = ${tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n`);
  const label = options.label ?? 'ddbec';
  const pin = options.pin ?? '1234';
  const env = { ...process.env, SOFTHSM2_CONF: configPath };
  const { stdout } = await run('softhsm2-util', ['--show-slots'], { env });
  if (!new RegExp(`^\\s*Label:\\s+${escape(label)}\\s*$`, 'm').test(stdout)) {
    await run('softhsm2-util', ['--init-token', '--free', '--label', label, '--pin', pin, '--so-pin', options.soPin ?? '5678'], { env });
  }
  return { module, configPath, label, pin };
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
