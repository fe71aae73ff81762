import { CryptoAction, isDdbecError, MATERIAL_DESCRIPTION_ATTRIBUTE, MaterialDescriptionKey as Desc, SIGNATURE_ATTRIBUTE, type AttributeActions, type Item } from 'ddbec';
import { decodeMaterialDescription, fromBase64 } from 'ddbec/format';
import { algorithmSuiteById, FOOTER_ATTRIBUTE, HEADER_ATTRIBUTE, HIERARCHY_PROVIDER_ID, parseHeader, type LegendAction } from 'ddbec/dbesdk';

/** What wrote an item, as far as its material description tells without any key. */
export type ProviderKind = 'none' | 'static' | 'wrapped-aes' | 'wrapped-rsa' | 'legacy-rsa-pkcs1' | 'direct-kms' | 'metastore' | 'dbesdk' | 'unknown';

export type Classification = 'encrypted' | 'probably-encrypted' | 'signed' | 'signed-or-untouched' | 'untouched';

export interface AttributeReport {
  readonly type: string;
  readonly classification: Classification;
  /** Byte length of binary values. */
  readonly bytes?: number;
}

export interface Inspection {
  readonly provider: {
    readonly type: ProviderKind;
    /** For people: `wrapped RSA (RSA-OAEP SHA-256 key wrapping)`. */
    readonly label: string;
    /** MetaStore items: `name#version`, the material name and the version. */
    readonly metaId?: string;
    readonly materialName?: string;
    readonly version?: number;
  };
  /** Decoded `*amzn-ddb-map-desc*`; undefined when the item has none. */
  readonly materialDescription: Readonly<Record<string, string>> | undefined;
  readonly signature: { readonly present: boolean; readonly bytes?: number; readonly algorithm?: string };
  /** Every attribute except the two reserved ones. */
  readonly attributes: Readonly<Record<string, AttributeReport>>;
  /** Why the material description (or the DB-ESDK header) could not be read, if it could not. */
  readonly problem?: string;
  /** A DB-ESDK item: what its header and footer say. */
  readonly dbesdk?: DbesdkInspection;
}

/** What the header and footer of a DB-ESDK item say, without any key. */
export interface DbesdkInspection {
  /** 1, or 2 when some attribute is SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT. */
  readonly formatVersion: number;
  readonly algorithmSuite: { readonly id: string; readonly name: string };
  /** One action per signed attribute, in canonical order; `attribute` when the signed attributes can be told (every attribute of the item signed). */
  readonly legend: readonly { readonly action: LegendAction; readonly attribute?: string }[];
  /** The encryption context stored in the header. */
  readonly encryptionContext: Readonly<Record<string, string>>;
  readonly encryptedDataKeys: readonly { readonly providerId: string; readonly providerInfo: string; readonly keyring: string; readonly ciphertextBytes: number }[];
  readonly footer: { readonly bytes: number; readonly recipientTags: number; readonly signature: boolean };
}

const AES_BLOCK = 16;

/**
 * Describes a stored item without any key. With the table's actions the classification is
 * exact; without, a binary value made of an IV and whole AES blocks (≥ 32 bytes, a multiple of
 * 16) is "probably encrypted" and everything else "signed or untouched".
 */
export function inspectItem(item: Item, actions?: AttributeActions): Inspection {
  if (item[HEADER_ATTRIBUTE] !== undefined) return inspectDbesdkItem(item);
  const signatureValue = item[SIGNATURE_ATTRIBUTE];
  const descriptionValue = item[MATERIAL_DESCRIPTION_ATTRIBUTE];
  const signature = signatureValue !== undefined && 'B' in signatureValue ? signatureValue.B : undefined;
  let description: Map<string, string> | undefined;
  let problem: string | undefined;
  if (descriptionValue !== undefined) {
    if ('B' in descriptionValue) {
      try {
        description = decodeMaterialDescription(descriptionValue.B);
      } catch (error) {
        problem = `the material description cannot be decoded (${isDdbecError(error) ? error.code : String(error)})`;
      }
    } else problem = 'the material description attribute is not binary';
  }
  const provider = description === undefined ? (signature === undefined && problem === undefined ? NONE : UNKNOWN) : providerOf(description);
  const attributes: Record<string, AttributeReport> = {};
  for (const name of Object.keys(item).sort()) {
    if (name === SIGNATURE_ATTRIBUTE || name === MATERIAL_DESCRIPTION_ATTRIBUTE) continue;
    const value = item[name];
    if (value === undefined) continue;
    const type = Object.keys(value)[0] ?? '?';
    const bytes = 'B' in value ? value.B.length : undefined;
    attributes[name] = { type, classification: classify(bytes, signature !== undefined, actions?.actionOf(name)), ...(bytes === undefined ? {} : { bytes }) };
  }
  return {
    provider,
    materialDescription: description === undefined ? undefined : Object.fromEntries([...description].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
    signature: signature === undefined ? { present: false } : { present: true, bytes: signature.length, algorithm: signatureAlgorithm(description, signature.length) },
    attributes,
    ...(problem === undefined ? {} : { problem }),
  };
}

const LEGEND_CLASS: Readonly<Record<LegendAction, Classification>> = { ENCRYPT_AND_SIGN: 'encrypted', SIGN_ONLY: 'signed', SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT: 'signed' };
const RECIPIENT_TAG = 48;
const ECDSA_SIGNATURE = 103;

/** A DB-ESDK item: its header (format version, suite, legend, encryption context, encrypted data keys) and footer, without any key. */
function inspectDbesdkItem(item: Item): Inspection {
  const head = item[HEADER_ATTRIBUTE];
  const foot = item[FOOTER_ATTRIBUTE];
  const names = Object.keys(item).filter((name) => name !== HEADER_ATTRIBUTE && name !== FOOTER_ATTRIBUTE).sort();
  const untouched = (): Record<string, AttributeReport> => Object.fromEntries(names.map((name) => [name, report(item, name, 'signed-or-untouched')]));
  const provider = { type: 'dbesdk', label: 'DB-ESDK format (AWS Database Encryption SDK)' } as const;
  let header: ReturnType<typeof parseHeader>;
  try {
    if (head === undefined || !('B' in head)) throw new Error('the header attribute is not binary');
    header = parseHeader(head.B);
  } catch (error) {
    return { provider, materialDescription: undefined, signature: { present: foot !== undefined }, attributes: untouched(), problem: `the DB-ESDK header cannot be read (${isDdbecError(error) ? error.message : String(error)})` };
  }
  const suite = algorithmSuiteById(header.algorithmSuiteId);
  const footBytes = foot !== undefined && 'B' in foot ? foot.B.length : 0;
  const signed = suite?.signature !== undefined;
  // Signed attributes sort by their canonical path: name length (UTF-16 units), then UTF-8 bytes.
  const canonical = [...names].sort((a, b) => a.length - b.length || Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const matched = canonical.length === header.legend.length;
  const legend = header.legend.map((action, i) => (matched ? { action, attribute: canonical[i] as string } : { action }));
  const attributes = matched
    ? Object.fromEntries(names.map((name) => [name, report(item, name, LEGEND_CLASS[header.legend[canonical.indexOf(name)] as LegendAction])]))
    : untouched();
  return {
    provider: { type: 'dbesdk', label: `DB-ESDK format (AWS Database Encryption SDK), ${keyringLabel(header.encryptedDataKeys.map((edk) => edk.keyProviderId))}` },
    materialDescription: undefined,
    signature: { present: foot !== undefined, bytes: footBytes, algorithm: signed ? 'HMAC-SHA384 per data key + ECDSA P-384' : 'HMAC-SHA384 per data key' },
    attributes,
    dbesdk: {
      formatVersion: header.version,
      algorithmSuite: { id: `0x${header.algorithmSuiteId.toString(16)}`, name: suite?.name ?? 'unknown' },
      legend,
      encryptionContext: Object.fromEntries(Object.entries(header.storedEncryptionContext).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))),
      encryptedDataKeys: header.encryptedDataKeys.map((edk) => ({
        providerId: edk.keyProviderId,
        ...providerInfo(edk.keyProviderId, edk.keyProviderInfo),
        ciphertextBytes: edk.ciphertext.length,
      })),
      footer: { bytes: footBytes, recipientTags: Math.floor((footBytes - (signed ? ECDSA_SIGNATURE : 0)) / RECIPIENT_TAG), signature: signed },
    },
    ...(matched ? {} : { problem: `the item has ${canonical.length} attributes besides the header and footer and the legend ${header.legend.length}: which are unsigned depends on the configuration` }),
  };
}

function report(item: Item, name: string, classification: Classification): AttributeReport {
  const value = item[name] as Item[string];
  const bytes = 'B' in value ? value.B.length : undefined;
  return { type: Object.keys(value)[0] ?? '?', classification, ...(bytes === undefined ? {} : { bytes }) };
}

function keyringLabel(providers: readonly string[]): string {
  const kinds = [...new Set(providers.map((id) => (id === HIERARCHY_PROVIDER_ID ? 'hierarchical keyring' : id.startsWith('aws-kms') ? 'AWS KMS keyring' : `raw keyring "${id}"`)))];
  return `${providers.length} encrypted data key${providers.length === 1 ? '' : 's'}: ${kinds.join(', ')}`;
}

/** A provider info for people: the branch key id, the KMS key ARN, a raw AES keyring's key name (and its IV). */
function providerInfo(providerId: string, info: Uint8Array): { providerInfo: string; keyring: string } {
  const text = Buffer.from(info).toString('utf8');
  if (providerId === HIERARCHY_PROVIDER_ID) return { providerInfo: text, keyring: 'hierarchical (branch key id)' };
  if (providerId.startsWith('aws-kms')) return { providerInfo: text, keyring: 'AWS KMS (key ARN)' };
  // raw AES: key name || tag length in bits (UInt32, 128) || IV length (UInt32, 12) || IV
  const tail = info.length >= 20 ? Buffer.from(info.subarray(info.length - 20)) : undefined;
  if (tail !== undefined && tail.readUInt32BE(0) === 128 && tail.readUInt32BE(4) === 12) {
    return { providerInfo: Buffer.from(info.subarray(0, info.length - 20)).toString('utf8'), keyring: `raw AES (key name; AES-GCM, IV ${tail.subarray(8).toString('hex')})` };
  }
  return { providerInfo: /^[\x20-\x7e]*$/.test(text) ? text : Buffer.from(info).toString('base64'), keyring: 'raw (RSA or other)' };
}

function classify(bytes: number | undefined, signed: boolean, action: CryptoAction | undefined): Classification {
  if (action !== undefined) {
    if (!signed) return 'untouched';
    return action === CryptoAction.EncryptAndSign ? 'encrypted' : action === CryptoAction.SignOnly ? 'signed' : 'untouched';
  }
  if (!signed) return 'untouched';
  return bytes !== undefined && bytes >= 2 * AES_BLOCK && bytes % AES_BLOCK === 0 ? 'probably-encrypted' : 'signed-or-untouched';
}

const NONE = { type: 'none', label: 'none: the item has no signature or material description (stored as plaintext)' } as const;
const UNKNOWN = { type: 'unknown', label: 'unknown: the item has a signature but no readable material description' } as const;

function providerOf(description: ReadonlyMap<string, string>): Inspection['provider'] {
  const metaId = description.get(Desc.MetaStoreId);
  if (metaId !== undefined) {
    const match = /^(.*)#(\d+)$/.exec(metaId);
    const materialName = match?.[1];
    const version = match?.[2] === undefined ? undefined : Number(match[2]);
    return {
      type: 'metastore',
      label: `MetaStore version ${metaId} (most-recent provider: content key wrapped with that version's AES key)`,
      metaId,
      ...(materialName === undefined ? {} : { materialName }),
      ...(version === undefined ? {} : { version }),
    };
  }
  const wrap = description.get(Desc.WrappingAlgorithm);
  const envelope = description.get(Desc.EnvelopeKey);
  if (wrap === 'kms') return { type: 'direct-kms', label: 'Direct KMS (one AWS KMS data key per item; HKDF-derived AES and HMAC keys)' };
  if (envelope === undefined) {
    const signing = description.get(Desc.SigningAlgorithm);
    return {
      type: 'static',
      label: `static (the same raw keys for every item; ${signing?.endsWith('withRSA') ? `${signing} signature` : 'HMAC signature'})`,
    };
  }
  if (wrap === 'AESWrap') return { type: 'wrapped-aes', label: 'wrapped AES (content key wrapped with an AES key, AES Key Wrap)' };
  if (wrap?.startsWith('RSA/ECB/OAEP')) return { type: 'wrapped-rsa', label: `wrapped RSA (content key wrapped with RSA-OAEP: ${wrap})` };
  if (wrap === 'RSA' || wrap === 'RSA/ECB/PKCS1Padding') return LEGACY_RSA;
  if (wrap !== undefined) return { type: 'unknown', label: `unknown wrapping algorithm ${wrap}` };
  // Old Java releases wrote no wrapping algorithm; the wrapped key's size tells AES Key Wrap
  // (key + 8 bytes) from RSA (the modulus size).
  let length: number | undefined;
  try {
    length = fromBase64(envelope).length;
  } catch {
    length = undefined;
  }
  if (length === 24 || length === 32 || length === 40) return { type: 'wrapped-aes', label: 'wrapped AES (content key wrapped with an AES key; no wrapping algorithm recorded)' };
  return LEGACY_RSA;
}

const LEGACY_RSA = { type: 'legacy-rsa-pkcs1', label: 'legacy RSA PKCS#1 (content key wrapped with RSA PKCS#1 v1.5, as old Java releases wrote)' } as const;

function signatureAlgorithm(description: ReadonlyMap<string, string> | undefined, bytes: number): string {
  const named = description?.get(Desc.SigningAlgorithm) ?? description?.get(Desc.KmsSigningAlgorithm)?.split('/')[0];
  if (named !== undefined) return named;
  const byLength: Readonly<Record<number, string>> = { 28: 'HmacSHA224', 32: 'HmacSHA256', 48: 'HmacSHA384', 64: 'HmacSHA512' };
  return byLength[bytes] ?? (bytes >= 128 ? 'SHA256withRSA' : 'unknown');
}

/** `probably encrypted (48 bytes: IV + 2 blocks)`, for people. */
export function describeClassification(report: AttributeReport): string {
  switch (report.classification) {
    case 'encrypted':
      return 'encrypted and signed';
    case 'probably-encrypted':
    {
      const blocks = ((report.bytes ?? 0) - AES_BLOCK) / AES_BLOCK;
      return `probably encrypted (${report.bytes ?? 0} bytes: IV + ${blocks} AES block${blocks === 1 ? '' : 's'})`;
    }
    case 'signed':
      return 'signed only (plaintext)';
    case 'signed-or-untouched':
      return 'plaintext, signed or untouched (the configured actions tell)';
    case 'untouched':
      return 'untouched (plaintext, not signed)';
  }
}
