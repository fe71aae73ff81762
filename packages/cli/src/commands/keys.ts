import { closeSync, constants, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, writeSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { generateRsaKeyPair, SecretKey } from 'ddbec';
import { formatSecretKeyFile, openPkcs11Token, validateConfig } from 'ddbec/config';
import type { Pkcs11Usage } from 'ddbec/pkcs11';
import { writeFileAtomic } from '@ddbec/local/files';
import { CreateAliasCommand, CreateKeyCommand } from '@aws-sdk/client-kms';
import { awsClients, type AwsOptions } from '../aws.js';
import { configPath, regionHint } from '../context.js';
import { CommandFailed, EXIT, envOf, line, printJson, UsageError, type Io } from '../io.js';
import { awsOptionsOf, flag, int, requireStr, str, type CommandSpec } from '../spec.js';

export type KeyType = 'aes' | 'hmac' | 'rsa';

export interface KeysGenerateOptions {
  readonly type: KeyType;
  /** The key file; for `rsa` the public key goes to `<out>.pub`. */
  readonly out: string;
  /** Key size in bits: aes 128/192/256 (default 256), hmac ≥ 128 (default 256), rsa 2048–16384 (default 3072). */
  readonly bits?: number | undefined;
  /** Overwrite existing files. */
  readonly force?: boolean | undefined;
  readonly json?: boolean | undefined;
}

/**
 * `ddbec keys generate`: a fresh key in a file only its owner can read (0600). AES and HMAC keys
 * are ddbec key files (`-----BEGIN DDBEC AES KEY-----`); RSA writes a PKCS#8 PEM private key
 * and its public key (SubjectPublicKeyInfo PEM) beside it as `<out>.pub`.
 */
export function keysGenerate(options: KeysGenerateOptions, io: Io): Promise<number> {
  const out = resolve(options.out);
  const files: { path: string; text: string; mode: number }[] = [];
  let algorithm: string;
  let bits: number;
  switch (options.type) {
    case 'aes': {
      bits = options.bits ?? 256;
      if (![128, 192, 256].includes(bits)) throw new UsageError('--bits for an AES key must be 128, 192 or 256');
      const key = SecretKey.generate('AES', bits);
      algorithm = key.algorithm;
      files.push({ path: out, text: formatSecretKeyFile(key), mode: 0o600 });
      break;
    }
    case 'hmac': {
      bits = options.bits ?? 256;
      if (bits < 128 || bits % 8 !== 0) throw new UsageError('--bits for an HMAC key must be a multiple of 8, at least 128');
      const key = SecretKey.generate('HmacSHA256', bits);
      algorithm = key.algorithm;
      files.push({ path: out, text: formatSecretKeyFile(key), mode: 0o600 });
      break;
    }
    case 'rsa': {
      bits = options.bits ?? 3072;
      if (bits < 2048 || bits > 16384 || bits % 8 !== 0) throw new UsageError('--bits for an RSA key must be a multiple of 8 from 2048 to 16384');
      const pair = generateRsaKeyPair(bits);
      algorithm = 'RSA';
      files.push({ path: out, text: pair.privateKey.exportPem(), mode: 0o600 });
      files.push({ path: `${out}.pub`, text: pair.publicKey.exportPem(), mode: 0o600 });
      break;
    }
  }
  const force = options.force === true;
  const existing = files.find((file) => existsSync(file.path));
  if (!force && existing !== undefined) throw new CommandFailed(`${existing.path} exists; pass --force to overwrite it`);
  mkdirSync(dirname(out), { recursive: true, mode: 0o700 });
  for (const file of files) writeKeyFile(file.path, file.text, file.mode, force);
  const publicKey = files[1]?.path;
  if (options.json) printJson(io, { type: options.type, algorithm, bits, file: out, ...(publicKey === undefined ? {} : { publicKey }) });
  else {
    line(io.stdout, `wrote ${options.type === 'rsa' ? `${bits}-bit RSA private key` : `${bits}-bit ${algorithm} key`} to ${out} (mode 0600)`);
    if (publicKey !== undefined) line(io.stdout, `wrote its public key to ${publicKey}`);
    line(io.stdout, `name it in a configuration as { "file": "${relative(process.cwd(), out)}" } (paths are relative to the configuration file)`);
  }
  return Promise.resolve(EXIT.ok);
}

export interface KeysGeneratePkcs11Options {
  readonly type: KeyType;
  /** CKA_LABEL of the new key (both halves of an RSA pair). */
  readonly label: string;
  readonly bits?: number | undefined;
  /** What the key may do (CKA_ENCRYPT, …): encrypt, decrypt, wrap, unwrap, sign, verify. Default: all that apply to the type. */
  readonly usage?: readonly string[] | undefined;
  /** The configuration whose `pkcs11` entry names the token and the PIN source. */
  readonly config?: string | undefined;
  readonly json?: boolean | undefined;
}

/**
 * `ddbec keys generate --pkcs11`: a fresh key inside the PKCS#11 token of the configuration's
 * `pkcs11` entry, sensitive and not extractable: its bytes never leave the token.
 */
export async function keysGeneratePkcs11(options: KeysGeneratePkcs11Options, io: Io): Promise<number> {
  const env = envOf(io);
  const path = configPath(options.config, env);
  if (path === undefined) throw new UsageError('--pkcs11 needs a configuration with a "pkcs11" entry (--config FILE, $DDBEC_CONFIG or ./ddbec.config.json)');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CommandFailed(`cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
  const document = validateConfig(JSON.parse(text) as unknown, path);
  if (document.pkcs11 === undefined) throw new CommandFailed(`${path} has no "pkcs11" entry (module, tokenLabel or slot, pin)`);
  const token = await openPkcs11Token(document.pkcs11, dirname(path), env);
  try {
    const request = { label: options.label, ...(options.usage === undefined ? {} : { usage: options.usage as readonly Pkcs11Usage[] }) };
    const info =
      options.type === 'aes'
        ? await token.generateAesKey({ ...request, ...(options.bits === undefined ? {} : { bits: options.bits as 128 | 192 | 256 }) })
        : options.type === 'hmac'
          ? await token.generateHmacKey({ ...request, ...(options.bits === undefined ? {} : { bits: options.bits }) })
          : await token.generateRsaKeyPair({ ...request, ...(options.bits === undefined ? {} : { bits: options.bits }) });
    const algorithm = { aes: 'AES', hmac: 'HmacSHA256', rsa: 'RSA' }[options.type];
    if (options.json) printJson(io, { type: options.type, algorithm, ...info });
    else {
      line(io.stdout, `generated ${options.type === 'rsa' ? 'an RSA key pair' : `an ${algorithm} key`} "${info.label}" (id ${info.id}) in the token: sensitive, not extractable; may ${info.usage.join(', ')}`);
      line(io.stdout, `name it in a configuration as { "pkcs11": { "label": "${info.label}" }${options.type === 'aes' ? '' : `, "algorithm": "${algorithm}"`} }`);
    }
    return EXIT.ok;
  } finally {
    await token.close();
  }
}

/** Writes a file created with `mode`; refuses an existing file unless `force` (then replaces it atomically). */
function writeKeyFile(path: string, text: string, mode: number, force: boolean): void {
  if (!force) {
    let fd: number;
    try {
      fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, mode);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') throw new CommandFailed(`${path} exists; pass --force to overwrite it`);
      throw new CommandFailed(`cannot write ${path} (${code ?? String(error)})`);
    }
    try {
      writeSync(fd, text);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    return;
  }
  try {
    writeFileAtomic(path, text, mode);
  } catch (error) {
    throw new CommandFailed(`cannot write ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
  }
}

export interface KeysCreateKmsOptions extends AwsOptions {
  /** An alias for the key, `alias/NAME`. */
  readonly alias?: string | undefined;
  readonly description?: string | undefined;
  readonly json?: boolean | undefined;
}

/** `ddbec keys create-kms`: a symmetric KMS key (ENCRYPT_DECRYPT) for Direct KMS providers, with an alias if asked. */
export async function keysCreateKms(options: KeysCreateKmsOptions, io: Io): Promise<number> {
  if (options.alias !== undefined && !/^alias\/[\w/-]+$/.test(options.alias)) throw new UsageError('--alias must look like alias/NAME (letters, digits, /, _ and -)');
  if (options.alias?.startsWith('alias/aws/') === true) throw new UsageError('--alias: alias/aws/… is reserved for AWS managed keys');
  const env = envOf(io);
  const path = configPath(undefined, env);
  const clients = awsClients(options, env, path === undefined ? undefined : regionHint(path));
  try {
    const kms = clients.kms();
    const { KeyMetadata } = await kms.send(new CreateKeyCommand(options.description === undefined ? {} : { Description: options.description }));
    const arn = KeyMetadata?.Arn ?? '';
    if (options.alias !== undefined) await kms.send(new CreateAliasCommand({ AliasName: options.alias, TargetKeyId: arn }));
    if (options.json) printJson(io, { KeyId: KeyMetadata?.KeyId, Arn: arn, ...(options.alias === undefined ? {} : { AliasName: options.alias }) });
    else {
      line(io.stdout, `created KMS key ${arn}${options.alias === undefined ? '' : ` (${options.alias})`}`);
      line(io.stdout, `name it in a configuration as { "type": "direct-kms", "keyId": "${options.alias ?? arn}" }`);
    }
    return EXIT.ok;
  } finally {
    clients.destroy();
  }
}

export const keysCommands: readonly CommandSpec[] = [
  {
    name: 'keys generate',
    summary: 'generate an AES, HMAC or RSA key into a file readable only by you (0600), or into a PKCS#11 token',
    options: {
      type: { type: 'string', value: 'aes|hmac|rsa', description: 'AES key (encryption, wrapping), HMAC-SHA256 key (signing) or RSA key pair' },
      out: { type: 'string', value: 'FILE', description: 'the key file; rsa also writes FILE.pub' },
      bits: { type: 'string', value: 'N', description: 'key size: aes 128|192|256 (256), hmac ≥128 (256), rsa 2048–16384 (3072; 2048–8192 in a token)' },
      force: { type: 'boolean', description: 'overwrite existing files' },
      pkcs11: { type: 'boolean', description: 'generate the key inside the PKCS#11 token of the configuration’s "pkcs11" entry instead of a file' },
      label: { type: 'string', value: 'LABEL', description: 'with --pkcs11: the key’s label (CKA_LABEL)' },
      usage: { type: 'string', value: 'LIST', description: 'with --pkcs11: what the key may do, comma-separated: encrypt,decrypt,wrap,unwrap,sign,verify (default: all that apply)' },
    },
    groups: ['config', 'json'],
    details: [
      'With --pkcs11 the key is generated inside the token named by the configuration’s "pkcs11" entry (module, tokenLabel or slot, PIN from an environment variable or file), sensitive and not extractable; configurations name it with `{ "pkcs11": { "label": "…" } }`.',
      'AES and HMAC keys are written as ddbec key files (`-----BEGIN DDBEC AES KEY-----`, base64 key bytes); RSA as a PKCS#8 PEM private key plus its SubjectPublicKeyInfo PEM public key in `FILE.pub`. Configurations name them with `{ "file": "…" }`; an environment variable may hold the same text (or raw key bytes in base64) for `{ "env": "…" }`.',
    ],
    examples: [
      'ddbec keys generate --type aes --out keys/customers.aes',
      'ddbec keys generate --type hmac --out keys/customers.hmac',
      'ddbec keys generate --type rsa --out keys/signing.pem',
      'ddbec keys generate --pkcs11 --type aes --label customers-kek --usage wrap,unwrap',
    ],
    run: ({ values }, io) => {
      const type = requireStr(values, 'type');
      if (type !== 'aes' && type !== 'hmac' && type !== 'rsa') throw new UsageError('--type must be aes, hmac or rsa');
      if (flag(values, 'pkcs11')) {
        if (str(values, 'out') !== undefined) throw new UsageError('--out and --pkcs11 exclude each other: a token key has no file');
        const usage = str(values, 'usage');
        return keysGeneratePkcs11(
          { type, label: requireStr(values, 'label'), bits: int(values, 'bits', 8), usage: usage?.split(',').map((entry) => entry.trim()), config: str(values, 'config'), json: flag(values, 'json') },
          io,
        );
      }
      if (str(values, 'label') !== undefined || str(values, 'usage') !== undefined) throw new UsageError('--label and --usage go with --pkcs11');
      return keysGenerate({ type, out: requireStr(values, 'out'), bits: int(values, 'bits', 8), force: flag(values, 'force'), json: flag(values, 'json') }, io);
    },
  },
  {
    name: 'keys create-kms',
    summary: 'create a symmetric KMS key (for a direct-kms provider or a MetaStore), with an alias if asked',
    options: {
      alias: { type: 'string', value: 'alias/NAME', description: 'an alias for the key' },
      description: { type: 'string', value: 'TEXT', description: 'the key’s description' },
    },
    groups: ['aws', 'json'],
    details: [
      'Meant for the local stack (`ddbec local up`); against AWS it creates a real customer managed key, which AWS bills monthly until it is deleted.',
    ],
    examples: ['ddbec keys create-kms --alias alias/ddbec-orders'],
    run: ({ values }, io) => keysCreateKms({ ...awsOptionsOf(values), alias: str(values, 'alias'), description: str(values, 'description'), json: flag(values, 'json') }, io),
  },
];
