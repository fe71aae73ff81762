import { CryptoAction, isDdbecError, MATERIAL_DESCRIPTION_ATTRIBUTE, MaterialDescriptionKey as Desc, SIGNATURE_ATTRIBUTE, type AttributeActions, type Item } from 'ddbec';
import { decodeMaterialDescription, fromBase64 } from 'ddbec/format';

/** What wrote an item, as far as its material description tells without any key. */
export type ProviderKind = 'none' | 'static' | 'wrapped-aes' | 'wrapped-rsa' | 'legacy-rsa-pkcs1' | 'direct-kms' | 'metastore' | 'unknown';

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
  /** Why the material description could not be read, if it could not. */
  readonly problem?: string;
}

const AES_BLOCK = 16;

/**
 * Describes a stored item without any key. With the table's actions the classification is
 * exact; without, a binary value made of an IV and whole AES blocks (≥ 32 bytes, a multiple of
 * 16) is "probably encrypted" and everything else "signed or untouched".
 */
export function inspectItem(item: Item, actions?: AttributeActions): Inspection {
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
