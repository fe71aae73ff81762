/**
 * The tamper suite of issue 9: over items ddbec writes with every materials provider, any
 * single change to a signed or encrypted value, to the signature, to a material-description
 * entry the provider reads, to the table name or to a key value is refused with a ddbec error
 * of the codes expected for that change; changes to do-nothing attributes are accepted and
 * returned as changed.
 *
 * One table of tampering classes (TAMPERINGS) and one property per provider × class: each run
 * writes a random item (tamper-support.ts) and applies one change of the class, chosen at
 * random among those that apply to the item.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalDynamoDB, startLocalKms, type LocalKms, type LocalService } from '../../../local/src/index.js';
import {
  CryptoAction,
  generateRsaKeyPair,
  isDdbecError,
  ItemEncryptor,
  MATERIAL_DESCRIPTION_ATTRIBUTE,
  MaterialDescriptionKey as Desc,
  SecretKey,
  SIGNATURE_ATTRIBUTE,
  StaticMaterialsProvider,
  WrappedMaterialsProvider,
  type AttributeValue,
  type CryptographicMaterialsProvider,
  type CryptoConfig,
  type DdbecErrorCode,
  type Item,
} from '../../src/index.js';
import { canonicalizeNumber, decodeMaterialDescription, encodeMaterialDescription, fromBase64, toBase64 } from '../../src/format/index.js';
import { MemoryMetaStore, MetaStore, MostRecentProvider } from '../../src/metastore/index.js';
import { DirectKmsMaterialsProvider } from '../../src/providers/direct-kms/index.js';
import { anyNumberArb, attributeNameArb, attributeValueArb, normalizeItem, stringArb } from '../support/arbitraries.js';
import { PROVIDERS } from './helpers.js';
import {
  configOf,
  descriptionLayout,
  withBitFlipped,
  keyValueArb,
  locations,
  replaceAt,
  roundAlike,
  roundingTwin,
  sameValue,
  tableNameArb,
  withEntry,
  withoutEntry,
  writtenArb,
  type Location,
  type Needed,
  type Written,
} from './tamper-support.js';

const { EncryptAndSign, SignOnly, DoNothing } = CryptoAction;

// ---------------------------------------------------------------------------------------------
// Providers

interface ProviderCase {
  /** A key of `providers`. */
  readonly name: string;
  readonly numRuns: number;
  /** Items are signed with RSA (then `amzn-ddb-map-signingAlg` is required). */
  readonly rsaSignature: boolean;
  /** The table name and key values are also bound outside the signature (the AWS KMS encryption context). */
  readonly bindsContext: boolean;
}

const LOCAL = { numRuns: 100, rsaSignature: false, bindsContext: false };
const PROVIDER_CASES: readonly ProviderCase[] = [
  { ...LOCAL, name: 'static AES + HMAC' },
  { ...LOCAL, name: 'static AES + RSA signature', rsaSignature: true },
  { ...LOCAL, name: 'wrapped AESWrap + HMAC' },
  { ...LOCAL, name: 'wrapped RSA-OAEP + RSA signature', rsaSignature: true },
  { ...LOCAL, name: 'wrapped RSA-OAEP + HMAC' },
  { ...LOCAL, name: 'most recent over MemoryMetaStore' },
  { ...LOCAL, name: 'Direct KMS (local KMS)', numRuns: 25, bindsContext: true },
  { ...LOCAL, name: 'most recent over MetaStore (dynalite)', numRuns: 15 },
];

const hmac = SecretKey.generate('HmacSHA256', 256);
const rsaWrap = generateRsaKeyPair(2048);
const staticRows = new StaticMaterialsProvider({ encryptionKey: SecretKey.generate('AES', 256), signingKey: hmac });
/** The test helpers' providers, and the ones below; those that need a service are added in beforeAll. */
const providers = new Map<string, CryptographicMaterialsProvider>(Object.entries(PROVIDERS));
providers.set('wrapped RSA-OAEP + HMAC', new WrappedMaterialsProvider({ wrappingKey: rsaWrap.publicKey, unwrappingKey: rsaWrap.privateKey, signingKey: hmac }));

/** A most-recent provider whose store holds versions 0 and 1 (so that another existing version can be named). */
async function mostRecent(store: MemoryMetaStore | MetaStore): Promise<MostRecentProvider> {
  const provider = new MostRecentProvider({ store, materialName: 'tamper', ttlMs: 3_600_000 });
  await provider.rotate();
  await provider.rotate();
  return provider;
}

let kms: LocalKms;
let db: LocalService;
let kmsClient: KMSClient;
let ddb: DynamoDBClient;
beforeAll(async () => {
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  [kms, db] = await Promise.all([startLocalKms(), startLocalDynamoDB()]);
  kmsClient = new KMSClient({ endpoint: kms.endpoint, region: 'us-east-1', credentials });
  ddb = new DynamoDBClient({ endpoint: db.endpoint, region: 'us-east-1', credentials });
  const keyId = (await kmsClient.send(new CreateKeyCommand({}))).KeyMetadata?.Arn ?? '';
  providers.set('Direct KMS (local KMS)', new DirectKmsMaterialsProvider({ kmsClient, keyId }));
  providers.set('most recent over MemoryMetaStore', await mostRecent(new MemoryMetaStore({ tableName: 'keys', materialsProvider: staticRows })));
  await MetaStore.createTable(ddb, 'keys', { pollMs: 10 });
  providers.set('most recent over MetaStore (dynalite)', await mostRecent(new MetaStore({ client: ddb, tableName: 'keys', materialsProvider: staticRows })));
});
afterAll(async () => {
  kmsClient.destroy();
  ddb.destroy();
  await Promise.all([kms.stop(), db.stop()]);
});

// ---------------------------------------------------------------------------------------------
// What a tampering gets, and what it returns

type Codes = readonly DdbecErrorCode[];

interface Subject {
  readonly provider: ProviderCase;
  readonly encryptor: ItemEncryptor;
  readonly written: Written;
  readonly config: CryptoConfig;
  readonly stored: Item;
  readonly g: fc.GeneratorValue;
}

interface Change {
  readonly what: string;
  readonly item: Item;
  /** The configuration to read with, when the change is to the context rather than the item. */
  readonly config?: CryptoConfig;
  readonly expected: { readonly refusedWith: Codes } | { readonly accepted: Item };
}

/** One kind of change; undefined when it does not apply to the item. */
type ChangeMaker = (s: Subject) => Change | undefined | Promise<Change | undefined>;

interface Tampering {
  readonly name: string;
  /** An attribute the item must contain for the class to apply. */
  readonly needs?: (encrypts: boolean) => fc.Arbitrary<Needed>;
  readonly changes: Readonly<Record<string, ChangeMaker>>;
}

const SIGNATURE: Codes = ['ERR_SIGNATURE_INVALID'];
/** A number that only rounds alike verifies in the Python form alone, which does not protect its digits. */
const ROUNDED: Codes = ['ERR_SIGNATURE_INVALID', 'ERR_UNPROTECTED_NUMBER_DIGITS'];
const SIGNATURE_ATTRIBUTE_CHANGED: Codes = ['ERR_SIGNATURE_INVALID', 'ERR_MALFORMED_ITEM'];
const DESCRIPTION_MALFORMED: Codes = ['ERR_MATERIAL_DESCRIPTION'];
const DESCRIPTION_MISSING: Codes = ['ERR_MATERIAL_DESCRIPTION', 'ERR_MALFORMED_ITEM', 'ERR_UNWRAPPING_FAILED', 'ERR_MATERIALS_UNAVAILABLE'];

/** Refused with these codes; a change that touches the table name or a key value may also fail at AWS KMS. */
const refused = (s: Subject, codes: Codes, touchesContext = false): Change['expected'] => ({
  refusedWith: touchesContext && s.provider.bindsContext ? [...codes, 'ERR_UNWRAPPING_FAILED'] : codes,
});

const oneOf = <T>(s: Subject, choices: readonly T[]): T => s.g(choiceOf, ...choices);
const pick = <T>(s: Subject, choices: readonly T[]): T | undefined => (choices.length === 0 ? undefined : oneOf(s, choices));
const where = (at: Location): string => `${JSON.stringify(at.attribute)}${at.path.map((step) => `[${JSON.stringify(step)}]`).join('')}`;
const actionOf = (s: Subject, name: string): CryptoAction => s.config.attributeActions.actionOf(name);
const keyNames = (s: Subject): string[] => [s.written.partitionKeyName, ...(s.written.sortKeyName === undefined ? [] : [s.written.sortKeyName])];
const isKey = (s: Subject, at: Location): boolean => at.path.length === 0 && keyNames(s).includes(at.attribute);
const attributeNames = (s: Subject): string[] => Object.keys(s.stored).filter((name) => name !== SIGNATURE_ATTRIBUTE && name !== MATERIAL_DESCRIPTION_ATTRIBUTE);

/** Values the signature covers as stored: encrypted attributes whole, sign-only attributes and everything nested in them. */
function signedLocations(s: Subject, options: { keys: boolean }): Location[] {
  const names = attributeNames(s).filter((name) => actionOf(s, name) !== DoNothing && (options.keys || !keyNames(s).includes(name)));
  return locations(s.stored, names, (name) => actionOf(s, name) === SignOnly);
}

function doNothingLocations(s: Subject): Location[] {
  return locations(s.stored, attributeNames(s).filter((name) => actionOf(s, name) === DoNothing), () => true);
}

const numbersAt = (s: Subject, type: 'N' | 'NS'): Location[] => signedLocations(s, { keys: true }).filter((at) => type in at.value);
const membersOf = (value: AttributeValue): string[] => ('NS' in value ? value.NS : []);

// ---------------------------------------------------------------------------------------------
// Material description entries: which ones a reader needs, and plausible other values

interface EntryRule {
  /**
   * Removing the entry must be refused. An entry is required when every writer (Java, Python,
   * ddbec) writes it for the provider (legacy-format §3.4); the others have a default that is
   * what the writer meant, so their removal changes nothing.
   */
  readonly required: (provider: ProviderCase) => boolean;
  /** False: never read (informational), so changing it changes nothing. */
  readonly read: boolean;
  readonly others: (current: string) => readonly string[];
  readonly codes: Codes;
}

const SIGNING_ALGORITHMS = ['HmacSHA224', 'HmacSHA256', 'HmacSHA384', 'HmacSHA512', 'SHA224withRSA', 'SHA256withRSA', 'SHA384withRSA', 'SHA512withRSA'];
const WRAPPING_ALGORITHMS = ['AESWrap', 'RSA/ECB/OAEPWithSHA-256AndMGF1Padding', 'RSA/ECB/OAEPWithSHA-1AndMGF1Padding', 'RSA/ECB/PKCS1Padding', 'RSA', 'kms'];
const always = (): boolean => true;
const except = (values: readonly string[]) => (current: string) => values.filter((value) => value !== current);

const ENTRIES: Readonly<Record<string, EntryRule>> = {
  [Desc.SymmetricMode]: {
    required: always,
    read: true,
    others: except(['/CTR/NoPadding', '/GCM/NoPadding', '/CBC/NoPadding', '/ECB/PKCS5Padding']),
    codes: ['ERR_MATERIAL_DESCRIPTION', 'ERR_MALFORMED_ITEM', 'ERR_UNSUPPORTED_ALGORITHM'],
  },
  // HMAC: Java never writes it, both readers use the key's own algorithm. RSA: both write it.
  [Desc.SigningAlgorithm]: {
    required: (provider) => provider.rsaSignature,
    read: true,
    others: except(SIGNING_ALGORITHMS),
    codes: ['ERR_MATERIAL_DESCRIPTION', 'ERR_SIGNATURE_INVALID', 'ERR_UNSUPPORTED_ALGORITHM'],
  },
  [Desc.EnvelopeKey]: {
    required: always,
    read: true,
    others: (current) => {
      const bytes = fromBase64(current);
      return [toBase64(withBitFlipped(bytes, 4 * bytes.length)), toBase64(withBitFlipped(bytes, 7)), toBase64(bytes.subarray(1)), 'not base64', ''];
    },
    codes: ['ERR_MATERIAL_DESCRIPTION', 'ERR_UNWRAPPING_FAILED'],
  },
  [Desc.ContentKeyAlgorithm]: {
    required: always,
    read: true,
    others: except(['AES/128', 'AES/192', 'DESede']),
    codes: ['ERR_MATERIAL_DESCRIPTION', 'ERR_UNWRAPPING_FAILED', 'ERR_UNSUPPORTED_ALGORITHM'],
  },
  // A PKCS#1 v1.5 name is refused unless the provider allows legacy PKCS#1 (none here).
  [Desc.WrappingAlgorithm]: {
    required: always,
    read: true,
    others: except(WRAPPING_ALGORITHMS),
    codes: ['ERR_MATERIAL_DESCRIPTION', 'ERR_UNWRAPPING_FAILED', 'ERR_UNSUPPORTED_ALGORITHM', 'ERR_DECRYPTION_FAILED'],
  },
  [Desc.KmsSigningAlgorithm]: {
    required: always,
    read: true,
    others: except(['HmacSHA256/128', 'HmacSHA384/384', 'HmacSHA512/512', 'AES/256']),
    codes: ['ERR_MATERIAL_DESCRIPTION', 'ERR_UNWRAPPING_FAILED', 'ERR_UNSUPPORTED_ALGORITHM'],
  },
  // "Informational only; never read" (legacy-format §3.3).
  [Desc.KmsContextAttributes]: { required: () => false, read: false, others: except(['*none*', 'hashKey']), codes: [] },
  [Desc.MetaStoreId]: {
    required: always,
    read: true,
    others: (current) => {
      const [name = '', version = ''] = current.split('#');
      return [`${name}#${Number(version) === 0 ? 1 : 0}`, `${name}#${Number(version) + 5}`, name, `${name}#x`];
    },
    codes: ['ERR_MATERIAL_DESCRIPTION', 'ERR_MATERIALS_UNAVAILABLE', 'ERR_UNWRAPPING_FAILED', 'ERR_SIGNATURE_INVALID'],
  },
};

function descriptionOf(s: Subject): Map<string, string> {
  return decodeMaterialDescription((s.stored[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B);
}

function ruleOf(key: string): EntryRule {
  const rule = ENTRIES[key];
  if (rule === undefined) throw new Error(`ddbec wrote the material description entry "${key}", which this suite does not know`);
  return rule;
}

const withDescription = (s: Subject, description: ReadonlyMap<string, string>): Item =>
  withEntry(s.stored, MATERIAL_DESCRIPTION_ATTRIBUTE, { B: encodeMaterialDescription(description) });
const withDescriptionBytes = (s: Subject, B: Uint8Array): Item => withEntry(s.stored, MATERIAL_DESCRIPTION_ATTRIBUTE, { B });
const descriptionBytes = (s: Subject): Uint8Array => (s.stored[MATERIAL_DESCRIPTION_ATTRIBUTE] as { B: Uint8Array }).B;
const signatureBytes = (s: Subject): Uint8Array => (s.stored[SIGNATURE_ATTRIBUTE] as { B: Uint8Array }).B;
const withSignature = (s: Subject, value: AttributeValue): Item => withEntry(s.stored, SIGNATURE_ATTRIBUTE, value);

// ---------------------------------------------------------------------------------------------
// Arbitraries for what the classes need

const signOnly = (value: fc.Arbitrary<AttributeValue>) => (): fc.Arbitrary<Needed> => value.map((v) => ({ value: v, action: SignOnly }));
const nonzeroNumberArb = anyNumberArb.filter((n) => canonicalizeNumber(n) !== '0');
/** Numbers near and beyond 28 significant digits, with the issue's `5`. */
const roundingNumberArb = fc.oneof(
  fc.constantFrom('5', '123456789012345678901234567890', '1', '-0.1'),
  fc.bigInt({ min: 10n ** 27n, max: 10n ** 38n - 1n }).chain((c) => fc.integer({ min: -60, max: 60 }).map((e) => `${c}E${e}`)),
  nonzeroNumberArb,
);
const numberSetArb = (arb: fc.Arbitrary<string>) =>
  fc.uniqueArray(arb, { minLength: 1, maxLength: 4, selector: (n) => canonicalizeNumber(n) }).map((NS): AttributeValue => ({ NS }));
const numbersInside = (arb: fc.Arbitrary<string>): fc.Arbitrary<AttributeValue> =>
  fc.oneof(
    arb.map((N) => ({ N })),
    numberSetArb(arb),
    fc.array(arb.map((N) => ({ N })), { minLength: 1, maxLength: 3 }).map((L) => ({ L })),
    fc.tuple(fc.string(), arb).map(([key, N]) => ({ M: withEntry<AttributeValue>({}, key, { N }) })),
  );
const collectionArb: fc.Arbitrary<AttributeValue> = fc.oneof(
  fc.uniqueArray(stringArb, { minLength: 1, maxLength: 4 }).map((SS) => ({ SS })),
  numberSetArb(anyNumberArb),
  fc.uniqueArray(fc.uint8Array({ minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 4, selector: (b) => toBase64(b) }).map((BS) => ({ BS })),
  fc.array(attributeValueArb, { minLength: 2, maxLength: 4 }).map((L) => ({ L })),
  fc.dictionary(fc.string(), attributeValueArb, { maxKeys: 4, noNullPrototype: true }).map((M) => ({ M })),
);
const offsetArb = fc.oneof(fc.constant(1_000_000_000n), fc.bigInt({ min: 1n, max: 4_999_999_998n }));

// Factories for the values a change draws with fc.gen: module-level functions whose arguments are
// plain data, because fc.gen replays (and shrinks) a drawn value only when the same factory is
// called again with equal arguments.

const choiceOf = <T>(...choices: T[]): fc.Arbitrary<T> => fc.constantFrom(...choices);
const anyValue = (): fc.Arbitrary<AttributeValue> => attributeValueArb;
const offsets = (): fc.Arbitrary<bigint> => offsetArb;
const someBytes = (maxLength: number): fc.Arbitrary<Uint8Array> => fc.uint8Array({ minLength: 1, maxLength });
const freshName = (taken: readonly string[]): fc.Arbitrary<string> => attributeNameArb.filter((name) => !taken.includes(name));
/** A number that neither equals nor rounds alike any of `members`. */
const otherNumber = (members: readonly string[]): fc.Arbitrary<string> => anyNumberArb.filter((n) => members.every((m) => !roundAlike(n, m)));
const otherString = (members: readonly string[]): fc.Arbitrary<string> => stringArb.filter((x) => !members.includes(x));
const otherBytes = (membersBase64: readonly string[]): fc.Arbitrary<Uint8Array> => someBytes(8).filter((b) => !membersBase64.includes(toBase64(b)));
const otherMapKey = (keys: readonly string[]): fc.Arbitrary<string> => fc.string().filter((key) => !keys.includes(key));
const otherKeyValue = (old: AttributeValue): fc.Arbitrary<AttributeValue> => keyValueArb.filter((value) => !sameValue(value, old));
const otherTableName = (old: string): fc.Arbitrary<string | undefined> => fc.option(tableNameArb.filter((name) => name !== old), { nil: undefined });
const unknownEntryKey = (present: readonly string[]): fc.Arbitrary<string> =>
  fc.oneof(fc.string({ minLength: 1 }), fc.string().map((x) => `amzn-ddb-${x}`)).filter((key) => !Object.hasOwn(ENTRIES, key) && !present.includes(key));
/** Another value for a signed one; for a ciphertext, also random bytes of its length. */
const replacementArb = (old: AttributeValue): fc.Arbitrary<AttributeValue> =>
  ('B' in old ? fc.oneof(fc.uint8Array({ minLength: old.B.length, maxLength: old.B.length }).map((B) => ({ B })), attributeValueArb) : attributeValueArb).filter(
    (value) => !sameValue(value, old),
  );

// ---------------------------------------------------------------------------------------------
// The tamperings

const TAMPERINGS: readonly Tampering[] = [
  {
    name: 'a signed or encrypted value is replaced, bit-flipped, deleted, or a signed attribute added',
    needs: (encrypts) => fc.record({ value: attributeValueArb, action: fc.constantFrom(SignOnly, ...(encrypts ? [EncryptAndSign] : [])) }),
    changes: {
      replace: (s) => {
        const at = pick(s, signedLocations(s, { keys: false }));
        if (at === undefined) return undefined;
        const value = s.g(replacementArb, at.value);
        return { what: `replace ${where(at)}`, item: replaceAt(s.stored, at, value), expected: refused(s, SIGNATURE) };
      },
      'flip a bit': (s) => {
        const at = pick(
          s,
          signedLocations(s, { keys: false }).filter((l) => 'B' in l.value && l.value.B.length > 0),
        );
        if (at === undefined || !('B' in at.value)) return undefined;
        const bit = s.g(fc.nat, at.value.B.length * 8 - 1);
        return { what: `flip bit ${bit} of ${where(at)}`, item: replaceAt(s.stored, at, { B: withBitFlipped(at.value.B, bit) }), expected: refused(s, SIGNATURE) };
      },
      delete: (s) => {
        const name = pick(s, attributeNames(s).filter((n) => actionOf(s, n) !== DoNothing && !keyNames(s).includes(n)));
        if (name === undefined) return undefined;
        return { what: `delete ${JSON.stringify(name)}`, item: withoutEntry(s.stored, name), expected: refused(s, SIGNATURE) };
      },
      'add an attribute the default action signs': (s) => {
        if (s.written.defaultAction === DoNothing) return undefined;
        // A name that is neither in the item nor in the actions gets the default action.
        const name = s.g(freshName, [...attributeNames(s), ...Object.keys(s.written.actions)]);
        return { what: `add ${JSON.stringify(name)}`, item: withEntry(s.stored, name, s.g(anyValue)), expected: refused(s, SIGNATURE) };
      },
    },
  },
  {
    name: 'a signed number becomes another number',
    needs: signOnly(numbersInside(anyNumberArb)),
    changes: {
      'another number': (s) => {
        const at = pick(s, numbersAt(s, 'N'));
        if (at === undefined || !('N' in at.value)) return undefined;
        const old = at.value.N;
        const N = s.g(otherNumber, [old]);
        return { what: `${where(at)}: ${old} → ${N}`, item: replaceAt(s.stored, at, { N }), expected: refused(s, SIGNATURE, isKey(s, at)) };
      },
      'another set member': (s) => {
        const at = pick(s, numbersAt(s, 'NS'));
        if (at === undefined) return undefined;
        const members = membersOf(at.value);
        const index = s.g(fc.nat, members.length - 1);
        const N = s.g(otherNumber, members);
        const NS = members.map((m, i) => (i === index ? N : m));
        return { what: `${where(at)}: member ${members[index]} → ${N}`, item: replaceAt(s.stored, at, { NS }), expected: refused(s, SIGNATURE) };
      },
    },
  },
  {
    name: 'a signed number becomes another that rounds to it at 28 significant digits',
    needs: signOnly(numbersInside(roundingNumberArb)),
    changes: {
      'number rounding alike': (s) => {
        const at = pick(s, numbersAt(s, 'N').filter((l) => 'N' in l.value && canonicalizeNumber(l.value.N) !== '0'));
        if (at === undefined || !('N' in at.value)) return undefined;
        const N = roundingTwin(at.value.N, s.g(offsets), s.g(fc.boolean)) as string;
        return { what: `${where(at)}: ${at.value.N} → ${N}`, item: replaceAt(s.stored, at, { N }), expected: refused(s, ROUNDED, isKey(s, at)) };
      },
      'set member rounding alike': (s) => {
        // Members that no other member of the set rounds alike, so the changed set keeps distinct members.
        const candidates = numbersAt(s, 'NS').flatMap((at) =>
          membersOf(at.value)
            .filter((m, _, all) => canonicalizeNumber(m) !== '0' && all.every((other) => other === m || !roundAlike(other, m)))
            .map((member) => ({ at, member })),
        );
        const chosen = pick(s, candidates);
        if (chosen === undefined) return undefined;
        const twin = roundingTwin(chosen.member, s.g(offsets), s.g(fc.boolean)) as string;
        const NS = membersOf(chosen.at.value).map((m) => (m === chosen.member ? twin : m));
        return { what: `${where(chosen.at)}: member ${chosen.member} → ${twin}`, item: replaceAt(s.stored, chosen.at, { NS }), expected: refused(s, ROUNDED) };
      },
    },
  },
  {
    name: 'a signed number changes type (same text)',
    needs: signOnly(numbersInside(anyNumberArb)),
    changes: {
      'N becomes S': (s) => {
        const at = pick(s, numbersAt(s, 'N'));
        if (at === undefined || !('N' in at.value)) return undefined;
        return { what: `${where(at)}: N → S`, item: replaceAt(s.stored, at, { S: at.value.N }), expected: refused(s, SIGNATURE, isKey(s, at)) };
      },
      'NS becomes SS': (s) => {
        const at = pick(s, numbersAt(s, 'NS'));
        if (at === undefined) return undefined;
        return { what: `${where(at)}: NS → SS`, item: replaceAt(s.stored, at, { SS: [...membersOf(at.value)] }), expected: refused(s, SIGNATURE) };
      },
    },
  },
  {
    name: 'a signed set, list or map gains, loses or reorders a member',
    needs: signOnly(collectionArb),
    changes: {
      'add a set member': (s) => {
        const at = pick(s, signedLocations(s, { keys: false }).filter((l) => 'SS' in l.value || 'NS' in l.value || 'BS' in l.value));
        if (at === undefined) return undefined;
        const value = at.value;
        let changed: AttributeValue;
        if ('SS' in value) changed = { SS: [...value.SS, s.g(otherString, value.SS)] };
        else if ('NS' in value) changed = { NS: [...value.NS, s.g(otherNumber, value.NS)] };
        else if ('BS' in value) changed = { BS: [...value.BS, s.g(otherBytes, value.BS.map((b) => toBase64(b)))] };
        else return undefined;
        return { what: `add a member to ${where(at)}`, item: replaceAt(s.stored, at, changed), expected: refused(s, SIGNATURE) };
      },
      'remove a set member': (s) => {
        const size = (v: AttributeValue): number => ('SS' in v ? v.SS.length : 'NS' in v ? v.NS.length : 'BS' in v ? v.BS.length : 0);
        const at = pick(s, signedLocations(s, { keys: false }).filter((l) => size(l.value) >= 2));
        if (at === undefined) return undefined;
        const index = s.g(fc.nat, size(at.value) - 1);
        const without = <T>(members: T[]): T[] => members.filter((_, i) => i !== index);
        const v = at.value;
        const changed = 'SS' in v ? { SS: without(v.SS) } : 'NS' in v ? { NS: without(v.NS) } : { BS: without((v as { BS: Uint8Array[] }).BS) };
        return { what: `remove member ${index} of ${where(at)}`, item: replaceAt(s.stored, at, changed), expected: refused(s, SIGNATURE) };
      },
      'swap two list elements': (s) => {
        const swaps = signedLocations(s, { keys: false }).flatMap((at) =>
          'L' in at.value
            ? at.value.L.flatMap((a, i, L) => L.slice(i + 1).flatMap((b, k) => (sameValue(a, b) ? [] : [{ at, i, j: i + 1 + k }])))
            : [],
        );
        const swap = pick(s, swaps);
        if (swap === undefined || !('L' in swap.at.value)) return undefined;
        const L = [...swap.at.value.L];
        [L[swap.i], L[swap.j]] = [L[swap.j] as AttributeValue, L[swap.i] as AttributeValue];
        return { what: `swap elements ${swap.i} and ${swap.j} of ${where(swap.at)}`, item: replaceAt(s.stored, swap.at, { L }), expected: refused(s, SIGNATURE) };
      },
      // Applies to every signed list, also one whose elements are all equal (nothing to swap).
      'append a list element': (s) => {
        const at = pick(s, signedLocations(s, { keys: false }).filter((l) => 'L' in l.value));
        if (at === undefined || !('L' in at.value)) return undefined;
        const L = [...at.value.L, s.g(anyValue)];
        return { what: `append an element to ${where(at)}`, item: replaceAt(s.stored, at, { L }), expected: refused(s, SIGNATURE) };
      },
      'add a map entry': (s) => {
        const at = pick(s, signedLocations(s, { keys: false }).filter((l) => 'M' in l.value));
        if (at === undefined || !('M' in at.value)) return undefined;
        const map = at.value.M;
        const key = s.g(otherMapKey, Object.keys(map));
        const M = withEntry(map, key, s.g(anyValue));
        return { what: `add entry ${JSON.stringify(key)} to ${where(at)}`, item: replaceAt(s.stored, at, { M }), expected: refused(s, SIGNATURE) };
      },
      'remove a map entry': (s) => {
        const at = pick(s, signedLocations(s, { keys: false }).filter((l) => 'M' in l.value && Object.keys(l.value.M).length > 0));
        if (at === undefined || !('M' in at.value)) return undefined;
        const key = oneOf(s, Object.keys(at.value.M));
        return { what: `remove entry ${JSON.stringify(key)} of ${where(at)}`, item: replaceAt(s.stored, at, { M: withoutEntry(at.value.M, key) }), expected: refused(s, SIGNATURE) };
      },
    },
  },
  {
    name: 'the signature is changed',
    changes: {
      'flip a bit': (s) => {
        const bit = s.g(fc.nat, signatureBytes(s).length * 8 - 1);
        return { what: `flip signature bit ${bit}`, item: withSignature(s, { B: withBitFlipped(signatureBytes(s), bit) }), expected: refused(s, SIGNATURE_ATTRIBUTE_CHANGED) };
      },
      truncate: (s) => {
        const length = s.g(fc.nat, signatureBytes(s).length - 1);
        return { what: `truncate the signature to ${length} bytes`, item: withSignature(s, { B: signatureBytes(s).slice(0, length) }), expected: refused(s, SIGNATURE_ATTRIBUTE_CHANGED) };
      },
      extend: (s) => {
        const extra = s.g(someBytes, 8);
        return { what: `append ${extra.length} bytes to the signature`, item: withSignature(s, { B: Buffer.concat([signatureBytes(s), extra]) }), expected: refused(s, SIGNATURE_ATTRIBUTE_CHANGED) };
      },
      "another item's signature": async (s) => {
        const pk = s.written.partitionKeyName;
        const otherKey = s.g(otherKeyValue, s.written.item[pk] as AttributeValue);
        const other = await s.encryptor.encryptItem(withEntry(s.written.item, pk, otherKey), s.config);
        return { what: "another item's signature", item: withSignature(s, other[SIGNATURE_ATTRIBUTE] as AttributeValue), expected: refused(s, SIGNATURE_ATTRIBUTE_CHANGED) };
      },
      delete: (s) => ({ what: 'delete the signature', item: withoutEntry(s.stored, SIGNATURE_ATTRIBUTE), expected: refused(s, SIGNATURE_ATTRIBUTE_CHANGED) }),
      'not binary': (s) => {
        const B = signatureBytes(s);
        const value = oneOf<AttributeValue>(s, [{ S: toBase64(B) }, { BS: [B] }, { L: [{ B }] }, { N: '1' }]);
        return { what: `signature becomes ${Object.keys(value)[0] ?? ''}`, item: withSignature(s, value), expected: refused(s, SIGNATURE_ATTRIBUTE_CHANGED) };
      },
    },
  },
  {
    name: 'a material description entry is removed',
    changes: {
      'remove an entry': (s) => {
        const description = descriptionOf(s);
        const key = oneOf(s, [...description.keys()]);
        const rule = ruleOf(key);
        description.delete(key);
        return {
          what: `remove ${key}`,
          item: withDescription(s, description),
          expected: rule.required(s.provider) ? refused(s, rule.codes) : { accepted: s.written.item },
        };
      },
    },
  },
  {
    name: 'a material description entry gets another plausible value',
    changes: {
      'change an entry': (s) => {
        const description = descriptionOf(s);
        const key = oneOf(s, [...description.keys()]);
        const rule = ruleOf(key);
        const current = description.get(key) ?? '';
        const value = oneOf(s, rule.others(current));
        description.set(key, value);
        return {
          what: `${key}: ${JSON.stringify(current)} → ${JSON.stringify(value)}`,
          item: withDescription(s, description),
          expected: rule.read ? refused(s, rule.codes) : { accepted: s.written.item },
        };
      },
    },
  },
  {
    // Both references ignore entries they do not know, and providers copy caller-supplied entries
    // into the description (legacy-format §3.3), so an unknown entry is accepted and changes nothing.
    name: 'an unknown material description entry is added',
    changes: {
      'add an entry': (s) => {
        const description = descriptionOf(s);
        const key = s.g(unknownEntryKey, [...description.keys()]);
        description.set(key, s.g(fc.string));
        return { what: `add entry ${JSON.stringify(key)}`, item: withDescription(s, description), expected: { accepted: s.written.item } };
      },
    },
  },
  {
    name: 'the material description is deleted or its encoding corrupted',
    changes: {
      delete: (s) => ({ what: 'delete the description', item: withoutEntry(s.stored, MATERIAL_DESCRIPTION_ATTRIBUTE), expected: refused(s, DESCRIPTION_MISSING) }),
      'not binary': (s) => ({
        what: 'the description becomes S',
        item: withEntry(s.stored, MATERIAL_DESCRIPTION_ATTRIBUTE, { S: toBase64(descriptionBytes(s)) }),
        expected: refused(s, DESCRIPTION_MALFORMED),
      }),
      'version bytes': (s) => {
        const bit = s.g(fc.nat, 31);
        return { what: `flip version bit ${bit}`, item: withDescriptionBytes(s, withBitFlipped(descriptionBytes(s), bit)), expected: refused(s, DESCRIPTION_MALFORMED) };
      },
      'truncate inside an entry': (s) => {
        const bytes = descriptionBytes(s);
        const { entryEnds } = descriptionLayout(bytes);
        // Past the version and not at the end of an entry (that would only remove entries).
        const cut = pick(s, Array.from({ length: bytes.length - 5 }, (_, i) => i + 5).filter((n) => !entryEnds.includes(n)));
        if (cut === undefined) return undefined;
        return { what: `truncate the description to ${cut} bytes`, item: withDescriptionBytes(s, bytes.slice(0, cut)), expected: refused(s, DESCRIPTION_MALFORMED) };
      },
      'trailing bytes': (s) => {
        const extra = s.g(someBytes, 3);
        return { what: `append ${extra.length} bytes to the description`, item: withDescriptionBytes(s, Buffer.concat([descriptionBytes(s), extra])), expected: refused(s, DESCRIPTION_MALFORMED) };
      },
      'length beyond the end': (s) => {
        const bytes = new Uint8Array(descriptionBytes(s));
        const field = pick(s, descriptionLayout(bytes).lengthFields);
        if (field === undefined) return undefined;
        new DataView(bytes.buffer).setUint32(field, bytes.length, false);
        return { what: `length field at ${field} points beyond the end`, item: withDescriptionBytes(s, bytes), expected: refused(s, DESCRIPTION_MALFORMED) };
      },
    },
  },
  {
    name: 'the item is read under another table name or with another key value',
    changes: {
      'another table name': (s) => {
        const tableName = s.g(otherTableName, s.written.tableName);
        const config = { ...s.config, encryptionContext: { ...s.config.encryptionContext, tableName } };
        return { what: `read under table ${String(tableName)}`, item: s.stored, config, expected: refused(s, SIGNATURE, true) };
      },
      'another key value': (s) => {
        const name = oneOf(s, keyNames(s));
        const old = s.stored[name] as AttributeValue;
        const value = s.g(otherKeyValue, old);
        return { what: `key ${JSON.stringify(name)} changed`, item: withEntry(s.stored, name, value), expected: refused(s, SIGNATURE, true) };
      },
      'remove a key attribute': (s) => {
        const name = oneOf(s, keyNames(s));
        // With AWS KMS the key value is needed before the signature can be checked: an argument error.
        const codes: Codes = ['ERR_SIGNATURE_INVALID', 'ERR_MALFORMED_ITEM', ...(s.provider.bindsContext ? (['ERR_INVALID_ARGUMENT'] as const) : [])];
        return { what: `key ${JSON.stringify(name)} removed`, item: withoutEntry(s.stored, name), expected: refused(s, codes, true) };
      },
    },
  },
  {
    name: 'a do-nothing attribute is changed, deleted or added (accepted and returned)',
    needs: () => attributeValueArb.map((value) => ({ value, action: DoNothing })),
    changes: {
      replace: (s) => {
        const at = pick(s, doNothingLocations(s));
        if (at === undefined) return undefined;
        const value = s.g(replacementArb, at.value);
        return { what: `replace ${where(at)}`, item: replaceAt(s.stored, at, value), expected: { accepted: replaceAt(s.written.item, at, value) } };
      },
      delete: (s) => {
        const name = pick(s, attributeNames(s).filter((n) => actionOf(s, n) === DoNothing));
        if (name === undefined) return undefined;
        return { what: `delete ${JSON.stringify(name)}`, item: withoutEntry(s.stored, name), expected: { accepted: withoutEntry(s.written.item, name) } };
      },
      'add a declared do-nothing attribute': (s) => {
        const name = s.written.absentDoNothing;
        const value = s.g(anyValue);
        return { what: `add ${JSON.stringify(name)}`, item: withEntry(s.stored, name, value), expected: { accepted: withEntry(s.written.item, name, value) } };
      },
    },
  },
];

// ---------------------------------------------------------------------------------------------
// The properties

async function chooseChange(tampering: Tampering, s: Subject): Promise<Change> {
  const kinds = Object.keys(tampering.changes);
  for (const kind of s.g(fc.shuffledSubarray, kinds, { minLength: kinds.length })) {
    const change = await tampering.changes[kind]?.(s);
    if (change !== undefined) return change;
  }
  throw new Error(`no change of "${tampering.name}" applies to the item`);
}

async function check(encryptor: ItemEncryptor, change: Change, config: CryptoConfig): Promise<void> {
  const outcome = await encryptor.decryptItem(change.item, change.config ?? config).then(
    (item) => ({ item }),
    (error: unknown) => ({ error }),
  );
  if ('refusedWith' in change.expected) {
    const codes = change.expected.refusedWith.join(' | ');
    if ('item' in outcome) throw new Error(`${change.what}: accepted, expected a refusal with ${codes}`);
    if (!isDdbecError(outcome.error)) throw new Error(`${change.what}: refused with a non-ddbec error`, { cause: outcome.error });
    if (!change.expected.refusedWith.includes(outcome.error.code)) {
      throw new Error(`${change.what}: refused with ${outcome.error.code}, expected ${codes}`, { cause: outcome.error });
    }
  } else {
    if ('error' in outcome) throw new Error(`${change.what}: refused, expected acceptance`, { cause: outcome.error });
    expect(normalizeItem(outcome.item), change.what).toEqual(normalizeItem(change.expected.accepted));
  }
}

for (const provider of PROVIDER_CASES) {
  describe(`tampering with items written by ${provider.name}`, () => {
    for (const tampering of TAMPERINGS) {
      it(tampering.name, async () => {
        const materialsProvider = providers.get(provider.name);
        if (materialsProvider === undefined) throw new Error(`no provider "${provider.name}"`);
        const encryptor = new ItemEncryptor({ materialsProvider });
        await fc.assert(
          fc.asyncProperty(writtenArb(tampering.needs), fc.gen(), async (written, g) => {
            const config = configOf(written);
            const stored = await encryptor.encryptItem(written.item, config);
            await check(encryptor, await chooseChange(tampering, { provider, encryptor, written, config, stored, g }), config);
          }),
          { numRuns: provider.numRuns },
        );
      });
    }
  });
}

describe('the rounding tamperings', () => {
  it('change a number into another that the Python form (28 digits) cannot tell apart', () => {
    expect(roundingTwin('5', 1_000_000_000n, true)).toBe('4.9999999999999999999999999999');
    fc.assert(
      fc.property(roundingNumberArb, offsetArb, fc.boolean(), (n, offset, down) => {
        const twin = roundingTwin(n, offset, down) as string;
        expect(canonicalizeNumber(twin)).not.toBe(canonicalizeNumber(n));
        expect(canonicalizeNumber(twin, 'python')).toBe(canonicalizeNumber(n, 'python'));
      }),
    );
  });
});
