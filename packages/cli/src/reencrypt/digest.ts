import { createHash, createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { RsaPrivateKey, SecretKey } from 'ddbec';
import { isDbesdkTableFile, parseKeyText, providerOf, type DbesdkTableConfig, type InnerProviderConfig, type KeySourceConfig, type LoadedConfig, type ProviderConfig, type TableConfig } from 'ddbec/config';

/**
 * What identifies how a table's items are written, for telling one re-encryption from another.
 *
 * In: the DynamoDB table and its key attributes, the resolved attribute actions, the signing
 * profile, and the provider — its type, each key by its fingerprint (never its bytes, nor
 * where it was read from: the same key moved to another file or into an environment variable
 * is the same key), the material description, a KMS key id and its region, a MetaStore's
 * table and material name and the provider protecting it.
 *
 * Out: what only changes how items are read or how fast (`acceptPythonRoundedNumbers`,
 * `allowLegacyPkcs1`, `discovery`, grant tokens, `ttlMs`, `cacheSize`), and the entry's name.
 * A KMS key is named as written: pointing an alias at another key is not seen.
 */
export type Identity = { readonly [name: string]: string | number | boolean | null | Identity };

/** A key's fingerprint: HMAC-SHA-256 of a fixed label under a secret key, SHA-256 of the public key (SubjectPublicKeyInfo) of an RSA key. */
export function keyFingerprint(key: ReturnType<typeof parseKeyText>): string {
  if (key instanceof SecretKey) {
    return `${key.algorithm}:${createHmac('sha256', key.exportBytes()).update('ddbec reencrypt key fingerprint').digest('hex').slice(0, 32)}`;
  }
  const publicKey = key instanceof RsaPrivateKey ? key.publicKey() : key;
  return `RSA:${createHash('sha256').update(publicKey.exportDer()).digest('hex').slice(0, 32)}`;
}

/** The identity of one configured table (see {@link Identity}). */
export function tableIdentity(config: LoadedConfig, table: TableConfig | DbesdkTableConfig, env: Readonly<Record<string, string | undefined>>): Identity {
  const entry = config.document.tables[table.name];
  const baseDir = config.path === undefined ? process.cwd() : dirname(config.path);
  if (table.format === 'dbesdk') {
    // The DB-ESDK side of a migration: what it writes (its migration policies only change what it reads)
    const file = entry !== undefined && isDbesdkTableFile(entry) ? entry : undefined;
    const keyring = file?.keyring;
    const where = { baseDir, env, region: config.document.region };
    return {
      format: 'dbesdk',
      tableName: table.tableName,
      logicalTableName: table.config.logicalTableName,
      partitionKey: table.partitionKey,
      sortKey: table.sortKey ?? null,
      attributeActionsOnEncrypt: { ...table.config.attributeActionsOnEncrypt },
      allowedUnsignedAttributes: [...(table.config.allowedUnsignedAttributes ?? [])].sort().join(','),
      allowedUnsignedAttributePrefix: table.config.allowedUnsignedAttributePrefix ?? null,
      algorithmSuiteId: table.config.algorithmSuiteId ?? 0x6701,
      keyring:
        keyring === undefined
          ? null
          : keyring.type === 'raw-aes'
            ? { type: keyring.type, keyNamespace: keyring.keyNamespace, keyName: keyring.keyName, wrappingKey: keySource(keyring.wrappingKey, 'AES', where) }
            : keyring.type === 'hierarchical'
              ? { type: keyring.type, branchKeyId: keyring.branchKeyId, keyStore: { tableName: keyring.keyStore.tableName, kmsKeyArn: keyring.keyStore.kmsKeyArn } }
              : { type: keyring.type, keyId: keyring.keyId },
    };
  }
  const actions = table.attributeActions;
  return {
    tableName: table.tableName,
    partitionKey: table.partitionKey,
    sortKey: table.sortKey ?? null,
    attributeActions: { default: actions.defaultAction, overrides: Object.fromEntries([...actions.overrides].sort(([a], [b]) => (a < b ? -1 : 1))) },
    signingProfile: table.signingProfile,
    provider: providerIdentityOf(entry === undefined ? undefined : providerOf(entry), { baseDir, env, region: config.document.region }),
  };
}

interface Where {
  readonly baseDir: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly region: string | undefined;
}

function providerIdentityOf(provider: ProviderConfig | undefined, where: Where): Identity | null {
  return provider === undefined ? null : providerIdentity(provider, where);
}

function providerIdentity(provider: ProviderConfig | InnerProviderConfig, where: Where): Identity {
  const description = { materialDescription: 'materialDescription' in provider && provider.materialDescription !== undefined ? { ...provider.materialDescription } : null };
  const key = (source: KeySourceConfig | undefined, fallback: string): string | null => (source === undefined ? null : keySource(source, fallback, where));
  switch (provider.type) {
    case 'static':
      return {
        type: provider.type,
        encryptionKey: key(provider.encryptionKey, 'AES'),
        signingKey: key(provider.signingKey, 'HmacSHA256'),
        verificationKey: key(provider.verificationKey, 'HmacSHA256'),
        ...description,
      };
    case 'wrapped':
      return {
        type: provider.type,
        wrappingKey: key(provider.wrappingKey, 'AES'),
        unwrappingKey: key(provider.unwrappingKey, 'AES'),
        signingKey: key(provider.signingKey, 'HmacSHA256'),
        verificationKey: key(provider.verificationKey, 'HmacSHA256'),
        ...description,
      };
    case 'direct-kms':
      return { type: provider.type, keyId: provider.keyId, region: provider.region ?? where.region ?? null, ...description };
    case 'most-recent':
      return {
        type: provider.type,
        materialName: provider.materialName,
        metaStore: { tableName: provider.metaStore.tableName, provider: providerIdentity(provider.metaStore.provider, where) },
      };
  }
}

/** Reads a key source as the configuration loader does (it has already checked the key, so this cannot fail for a loaded configuration). */
/** A key source's identity: a PKCS#11 key by its label or id, any other by its key's fingerprint. */
function keySource(source: KeySourceConfig, fallback: string, where: Where): string {
  return 'pkcs11' in source ? `PKCS11:${JSON.stringify(source.pkcs11)}` : keyFingerprint(readKey(source, fallback, where));
}

function readKey(source: Exclude<KeySourceConfig, { readonly pkcs11: unknown }>, fallback: string, where: Where): ReturnType<typeof parseKeyText> {
  const text = 'file' in source ? readFileSync(isAbsolute(source.file) ? source.file : resolve(where.baseDir, source.file), 'utf8') : (where.env[source.env] ?? '');
  return parseKeyText(text, source.algorithm, fallback);
}

/** JSON with object keys sorted at every level: one text per value. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([name, member]) => `${JSON.stringify(name)}:${canonicalJson(member)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export const sha256Hex = (text: string): string => createHash('sha256').update(text).digest('hex');

/** One re-encryption: a table, from one configuration to another. */
export interface Rotation {
  readonly table: string;
  /** SHA-256 of the canonical JSON of each configuration's identity. */
  readonly from: string;
  readonly to: string;
  /** SHA-256 of the canonical JSON of { table, from, to } (order matters: A → B is not B → A). */
  readonly digest: string;
}

export function rotationOf(table: string, from: Identity, to: Identity): Rotation {
  const fromDigest = sha256Hex(canonicalJson(from));
  const toDigest = sha256Hex(canonicalJson(to));
  return { table, from: fromDigest, to: toDigest, digest: sha256Hex(canonicalJson({ format: 'ddbec-reencrypt-1', table, from: fromDigest, to: toDigest })) };
}
