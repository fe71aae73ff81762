/**
 * A table's searchable encryption: its `search` config checked against the table's attribute
 * actions (search-config.md, beacons.md, virtual.md — every "Initialization MUST fail" rule, as
 * the DB-ESDK applies them), and the item-level operations around encryption
 * (ddb-support.md AddSignedBeacons, HandleBeaconKeyFieldName, GetEncryptedBeacons).
 */
import { randomBytes } from '../crypto/primitives.js';
import { HEADER_ATTRIBUTE, RESERVED_PREFIX } from '../dbesdk/config.js';
import { DdbecError } from '../errors.js';
import type { AttributeValue, Item } from '../format/attribute-value.js';
import { utf8DecodeStrict } from '../format/utf8.js';
import { HIERARCHY_PROVIDER_ID } from '../keyrings/hierarchical/hierarchical-keyring.js';
import type { BeaconKeyMaterials } from '../keyrings/types.js';
import { parseHeader } from '../structured/header.js';
import { CompoundBeaconDef, StandardBeaconDef, type ConstructorDef, type PartDef } from './beacons.js';
import type { BeaconVersion, CompoundBeacon, EncryptedPart, SearchConfig, SignedPart, StandardBeacon } from './config.js';
import { BeaconKeySource } from './keys.js';
import { VERSION_TAG, type QueryBeacon, type SearchableTable, type SearchTableFacts } from './types.js';
import { parseLocation, VirtualFieldDef } from './virtual.js';

/** The most partitions a table may use. */
export const MAX_PARTITIONS = 255;
/** How many tenants' beacon keys a multi-tenant table caches by default. */
export const DEFAULT_MAX_CACHE_SIZE = 1000;

/** Test hooks. */
export interface SearchableTableOptions {
  /** The clock of the beacon key cache, in epoch ms. */
  readonly clock?: (() => number) | undefined;
}

function fail(message: string): never {
  throw new DdbecError('ERR_BEACON_CONFIG', message);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function nonEmptyString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) fail(`${what} must be a non-empty string`);
  return value;
}

function optionalList<T>(value: readonly T[] | undefined, what: string): readonly T[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(`${what} must be a list`);
  return value as readonly T[];
}

function integerIn(value: unknown, low: number, high: number, what: string): number {
  if (!Number.isInteger(value) || (value as number) < low || (value as number) > high) {
    fail(`${what} must be an integer from ${String(low)} to ${String(high)}`);
  }
  return value as number;
}

/** A list of parts whose names and prefixes are unique within it (the DB-ESDK's PartSet). */
class PartList {
  readonly parts: PartDef[] = [];

  constructor(readonly label: string) {}

  has(name: string): boolean {
    return this.parts.some((p) => p.name === name);
  }

  add(part: PartDef): void {
    if (this.has(part.name)) fail(`${this.label}: duplicate part name ${part.name}`);
    if (this.parts.some((p) => p.prefix === part.prefix)) fail(`${this.label}: duplicate prefix ${part.prefix}`);
    this.parts.push(part);
  }

  /** Fails when the two lists share a name or a prefix. */
  checkDisjoint(other: PartList): void {
    for (const part of other.parts) {
      if (this.has(part.name)) fail(`part name ${part.name} is defined in both ${this.label} and ${other.label}`);
      if (this.parts.some((p) => p.prefix === part.prefix)) fail(`prefix ${part.prefix} is used in both ${this.label} and ${other.label}`);
    }
  }
}

/** The checked configuration. */
interface Resolved {
  readonly version: BeaconVersion;
  readonly standard: ReadonlyMap<string, StandardBeaconDef>;
  readonly compound: ReadonlyMap<string, CompoundBeaconDef>;
  readonly maxPartitions: number;
  readonly keySource: SearchableTable['keySource'];
  readonly cacheTTL: number;
  readonly maxCacheSize: number;
}

function resolve(search: SearchConfig, facts: SearchTableFacts): Resolved {
  if (!isObject(search)) fail('the search config must be an object');
  if (search.writeVersion !== 1) fail('the search config: writeVersion must be 1');
  if (!Array.isArray(search.versions) || search.versions.length !== 1) fail('the search config must have exactly one beacon version');
  const version = search.versions[0] as BeaconVersion;
  if (!isObject(version)) fail('a beacon version must be an object');
  if (version.version !== 1) fail('the beacon version number must be 1');
  if (!Array.isArray(version.standardBeacons) || version.standardBeacons.length === 0) fail('a beacon version needs at least one standard beacon');
  if (!isObject(version.keyStore) || typeof version.keyStore.getBeaconKey !== 'function') fail('a beacon version needs a keyStore with getBeaconKey');
  if (version.partitionSelector !== undefined && typeof version.partitionSelector !== 'function') fail('partitionSelector must be a function');

  const actions = facts.attributeActionsOnEncrypt;
  const actionOf = (name: string): string | undefined => (Object.hasOwn(actions, name) ? actions[name] : undefined);
  const unsigned = facts.allowedUnsignedAttributes ?? [];
  const unsignedPrefix = facts.allowedUnsignedAttributePrefix;

  // Key source.
  const source = version.keySource as unknown;
  if (!isObject(source) || (source.single === undefined) === (source.multi === undefined)) fail('keySource must have exactly one of single or multi');
  const store = (source.single ?? source.multi) as Record<string, unknown>;
  if (!isObject(store)) fail('keySource.single / keySource.multi must be an object');
  if (!(typeof store.cacheTTL === 'number' && Number.isFinite(store.cacheTTL) && store.cacheTTL > 0)) fail('the key source cacheTTL must be a number of seconds > 0');
  let keySource: SearchableTable['keySource'];
  let maxCacheSize = 1;
  if (source.single !== undefined) {
    keySource = { kind: 'single', keyId: nonEmptyString(store.keyId, 'keySource.single.keyId') };
  } else {
    const keyFieldName = nonEmptyString(store.keyFieldName, 'keySource.multi.keyFieldName');
    if (actionOf(keyFieldName) === 'ENCRYPT_AND_SIGN') fail(`the beacon key field ${keyFieldName} must not be ENCRYPT_AND_SIGN`);
    maxCacheSize = store.maxCacheSize === undefined ? DEFAULT_MAX_CACHE_SIZE : integerIn(store.maxCacheSize, 1, Number.MAX_SAFE_INTEGER, 'keySource.multi.maxCacheSize');
    keySource = { kind: 'multi', keyFieldName };
  }

  // Partitions.
  const maxPartitions = version.maximumNumberOfPartitions === undefined ? 1 : integerIn(version.maximumNumberOfPartitions, 1, MAX_PARTITIONS, 'maximumNumberOfPartitions');
  let defaultPartitions = maxPartitions;
  if (version.defaultNumberOfPartitions !== undefined) {
    if (version.maximumNumberOfPartitions === undefined) fail('defaultNumberOfPartitions needs maximumNumberOfPartitions');
    defaultPartitions = integerIn(version.defaultNumberOfPartitions, 1, maxPartitions - 1, 'defaultNumberOfPartitions (less than maximumNumberOfPartitions)');
  }

  // Names that may not be beacons or virtual fields.
  const checkBeaconName = (name: string, what: string, signedBeacon: boolean): void => {
    const action = actionOf(name);
    if (action !== undefined && action !== 'ENCRYPT_AND_SIGN') fail(`${what} ${name}: the name is already an unencrypted attribute`);
    if (signedBeacon && action !== undefined) fail(`${what} ${name}: a signed beacon cannot have the name of a configured attribute`);
    if (unsigned.includes(name)) fail(`${what} ${name}: the name is an allowed unsigned attribute`);
    if (unsignedPrefix !== undefined && name.startsWith(unsignedPrefix)) fail(`${what} ${name}: the name begins with the allowed unsigned attribute prefix`);
    if (name.startsWith(RESERVED_PREFIX)) fail(`${what} ${name}: the name begins with the reserved prefix ${RESERVED_PREFIX}`);
  };

  // Virtual fields.
  const virtualFields = new Map<string, VirtualFieldDef>();
  const sameSet = (a: ReadonlySet<string>, b: ReadonlySet<string>): boolean => a.size === b.size && [...a].every((x) => b.has(x));
  for (const config of optionalList(version.virtualFields, 'virtualFields')) {
    if (!isObject(config)) fail('a virtual field must be an object');
    const field = new VirtualFieldDef(config);
    const what = `virtual field ${field.name}`;
    if (virtualFields.has(field.name)) fail(`duplicate virtual field name ${field.name}`);
    if (actionOf(field.name) !== undefined) fail(`${what}: the name is already a configured attribute`);
    if (unsigned.includes(field.name)) fail(`${what}: the name is an allowed unsigned attribute`);
    if (unsignedPrefix !== undefined && field.name.startsWith(unsignedPrefix)) fail(`${what}: the name begins with the allowed unsigned attribute prefix`);
    if (field.name.startsWith(RESERVED_PREFIX)) fail(`${what}: the name begins with the reserved prefix ${RESERVED_PREFIX}`);
    for (const part of field.parts) {
      const action = actionOf(part.loc.attribute);
      if (action === undefined || action === 'DO_NOTHING') fail(`${what} must be defined on signed attributes; ${part.loc.text} is not signed`);
    }
    const twin = [...virtualFields.values()].find((other) => sameSet(other.locationSet(), field.locationSet()));
    if (twin !== undefined) fail(`${what} is defined on the same locations as virtual field ${twin.name}`);
    virtualFields.set(field.name, field);
  }

  // Standard beacons.
  const standard = new Map<string, StandardBeaconDef>();
  for (const config of version.standardBeacons as readonly StandardBeacon[]) {
    if (!isObject(config)) fail('a standard beacon must be an object');
    const name = nonEmptyString(config.name, 'a standard beacon name');
    const what = `standard beacon ${name}`;
    if (standard.has(name)) fail(`duplicate standard beacon name ${name}`);
    checkBeaconName(name, 'standard beacon', false);
    const length = integerIn(config.length, 1, 63, `${what}: length`);
    const loc = parseLocation(config.loc ?? name, what);
    const style = config.style as unknown;
    let partOnly = false;
    let asSet = false;
    let share: string | undefined;
    if (style !== undefined) {
      const kinds = isObject(style) ? Object.keys(style) : [];
      const kind = kinds[0];
      if (kinds.length !== 1 || !['partOnly', 'shared', 'asSet', 'sharedSet'].includes(kind as string)) {
        fail(`${what}: style must have exactly one of partOnly, shared, asSet, sharedSet`);
      }
      const body = (style as Record<string, unknown>)[kind as string];
      if (!isObject(body)) fail(`${what}: style ${kind as string} must be an object`);
      partOnly = kind === 'partOnly';
      asSet = kind === 'asSet' || kind === 'sharedSet';
      if (kind === 'shared' || kind === 'sharedSet') share = nonEmptyString(body.other, `${what}: style ${kind}.other`);
    }
    let partitions = defaultPartitions;
    if (config.numberOfPartitions !== undefined) {
      if (!Number.isInteger(config.numberOfPartitions) || config.numberOfPartitions < 1 || config.numberOfPartitions >= maxPartitions) {
        fail(`${what}: numberOfPartitions is ${String(config.numberOfPartitions)}, but it must be an integer ≥ 1 and less than maximumNumberOfPartitions ${String(maxPartitions)}`);
      }
      partitions = config.numberOfPartitions;
    }
    const viaField = virtualFields.get(loc.attribute);
    const encrypted = actionOf(loc.attribute) === 'ENCRYPT_AND_SIGN' || (viaField?.parts.some((p) => actionOf(p.loc.attribute) === 'ENCRYPT_AND_SIGN') ?? false);
    if (!encrypted) fail(`${what} is not defined on an encrypted attribute (location ${loc.text})`);
    const twin = [...standard.values()].find((other) => other.spec.loc.text === loc.text);
    if (twin !== undefined) fail(`${what} is defined on location ${loc.text}, where standard beacon ${twin.name} is already defined`);
    const single = new Set([loc.text]);
    const field = [...virtualFields.values()].find((f) => sameSet(f.locationSet(), single));
    if (field !== undefined) fail(`${what} is defined on location ${loc.text}, which is the only location of virtual field ${field.name}`);
    const virtualField = loc.path.length === 0 ? viaField : undefined;
    standard.set(name, new StandardBeaconDef({ name, length, loc, virtualField, partOnly, asSet, share, partitions }));
  }

  // Parts.
  const signedParts = (configs: readonly SignedPart[], label: string): PartList => {
    const list = new PartList(label);
    for (const config of configs) {
      if (!isObject(config)) fail(`${label}: a signed part must be an object`);
      const name = nonEmptyString(config.name, `${label}: a signed part name`);
      const prefix = nonEmptyString(config.prefix, `${label}: the prefix of signed part ${name}`);
      const loc = parseLocation(config.loc ?? name, `${label}: signed part ${name}`);
      const action = actionOf(loc.attribute);
      if (action !== 'SIGN_ONLY' && action !== 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT') {
        fail(`${label}: signed part ${name} is built from ${loc.text}, which is not SIGN_ONLY`);
      }
      list.add({ kind: 'signed', name, prefix, loc });
    }
    return list;
  };
  const encryptedParts = (configs: readonly EncryptedPart[], label: string): PartList => {
    const list = new PartList(label);
    for (const config of configs) {
      if (!isObject(config)) fail(`${label}: an encrypted part must be an object`);
      const name = nonEmptyString(config.name, `${label}: an encrypted part name`);
      const prefix = nonEmptyString(config.prefix, `${label}: the prefix of encrypted part ${name}`);
      const beacon = standard.get(name);
      if (beacon === undefined) fail(`${label} refers to standard beacon ${name}, which is not configured`);
      if (beacon.asSet) fail(`${label} uses ${name}, which is an asSet beacon and so cannot be part of a compound beacon`);
      list.add({ kind: 'encrypted', name, prefix, beacon });
    }
    return list;
  };
  const globalSigned = signedParts(optionalList(version.signedParts, 'signedParts'), 'the global signed parts');
  const globalEncrypted = encryptedParts(optionalList(version.encryptedParts, 'encryptedParts'), 'the global encrypted parts');
  globalSigned.checkDisjoint(globalEncrypted);

  // Compound beacons.
  const keyFieldName = keySource.kind === 'multi' ? keySource.keyFieldName : undefined;
  const compound = new Map<string, CompoundBeaconDef>();
  for (const config of optionalList<CompoundBeacon>(version.compoundBeacons, 'compoundBeacons')) {
    if (!isObject(config)) fail('a compound beacon must be an object');
    const name = nonEmptyString(config.name, 'a compound beacon name');
    const what = `compound beacon ${name}`;
    if (typeof config.split !== 'string' || config.split.length !== 1) fail(`${what}: split must be exactly one character`);
    const signed = signedParts(optionalList(config.signed, `${what}: signed`), what);
    const encrypted = encryptedParts(optionalList(config.encrypted, `${what}: encrypted`), what);
    signed.checkDisjoint(encrypted);
    globalSigned.checkDisjoint(signed);
    globalSigned.checkDisjoint(encrypted);
    globalEncrypted.checkDisjoint(signed);
    globalEncrypted.checkDisjoint(encrypted);
    const constructors = config.constructors === undefined ? undefined : optionalList(config.constructors, `${what}: constructors`);
    // Global parts join the beacon when a constructor names them.
    for (const constructor of constructors ?? []) {
      if (!isObject(constructor) || !Array.isArray(constructor.parts) || constructor.parts.length === 0) fail(`${what}: every constructor needs a non-empty list of parts`);
      for (const { name: partName } of constructor.parts) {
        const global = globalSigned.parts.find((p) => p.name === partName) ?? globalEncrypted.parts.find((p) => p.name === partName);
        if (global === undefined) continue;
        const list = global.kind === 'signed' ? signed : encrypted;
        if (!list.has(global.name)) list.add(global);
      }
    }
    if (standard.has(name) || compound.has(name)) fail(`duplicate beacon name ${name}`);
    if (constructors !== undefined && constructors.length === 0) fail(`${what}: an empty list of constructors was given`);
    if (constructors === undefined && signed.parts.length === 0 && encrypted.parts.length === 0) {
      fail(`${what} defines no constructors and no parts of its own, so no default constructor can be made (global parts join only through constructors)`);
    }
    checkBeaconName(name, 'compound beacon', encrypted.parts.length === 0);
    const parts = [...signed.parts, ...encrypted.parts];
    for (let i = 0; i < parts.length; i++) {
      for (let j = i + 1; j < parts.length; j++) {
        const a = parts[i] as PartDef;
        const b = parts[j] as PartDef;
        if (a.prefix.startsWith(b.prefix) || b.prefix.startsWith(a.prefix)) {
          fail(`${what}: the prefix ${a.prefix} of part ${a.name} and the prefix ${b.prefix} of part ${b.name} clash (no prefix may be a prefix of another)`);
        }
      }
    }
    let defs: ConstructorDef[];
    if (constructors === undefined) {
      defs = [{ parts: parts.map((part) => ({ part, required: true })) }];
    } else {
      defs = [];
      for (const constructor of constructors) {
        const cparts = constructor.parts.map((cp) => {
          if (!isObject(cp) || typeof cp.required !== 'boolean') fail(`${what}: a constructor part needs a name and a boolean required`);
          const part = parts.find((p) => p.name === cp.name);
          if (part === undefined) fail(`${what}: a constructor refers to part ${cp.name}, which is not a part of the beacon`);
          return { part, required: cp.required };
        });
        const required = new Set(cparts.filter((c) => c.required).map((c) => c.part.name));
        if (required.size === 0) fail(`${what}: a constructor has no required part`);
        const twin = defs.find((d) => sameSet(new Set(d.parts.filter((c) => c.required).map((c) => c.part.name)), required));
        if (twin !== undefined) fail(`${what}: two constructors have the same required parts (${[...required].join(', ')})`);
        defs.push({ parts: cparts });
      }
    }
    compound.set(name, new CompoundBeaconDef({ name, split: config.split, parts, constructors: defs, maxPartitions, keyFieldName }));
  }

  // Cross-checks.
  const compoundParts = [...compound.values()].flatMap((c) => c.spec.parts);
  for (const beacon of standard.values()) {
    const { partOnly, share, length } = beacon.spec;
    if (partOnly && !compoundParts.some((p) => p.kind === 'encrypted' && p.beacon === beacon)) {
      fail(`standard beacon ${beacon.name} is partOnly, so it must be a part of some compound beacon`);
    }
    if (share === undefined) continue;
    const other = standard.get(share);
    if (share === beacon.name) fail(`standard beacon ${beacon.name} is shared to itself`);
    if (other === undefined) fail(compound.has(share) ? `standard beacon ${beacon.name} is shared to ${share}, which is a compound beacon` : `standard beacon ${beacon.name} is shared to ${share}, which is not defined`);
    if (other.spec.share !== undefined) fail(`standard beacon ${beacon.name} is shared to ${share}, which is itself shared to ${other.spec.share} (no chains)`);
    if (other.spec.length !== length) fail(`standard beacon ${beacon.name} is shared to ${share}, but their lengths differ (${String(length)} and ${String(other.spec.length)})`);
  }
  if (keyFieldName !== undefined) {
    if (standard.has(keyFieldName) || compound.has(keyFieldName)) fail(`the beacon key field name ${keyFieldName} is also the name of a beacon`);
    if (virtualFields.has(keyFieldName)) fail(`the beacon key field name ${keyFieldName} is also the name of a virtual field`);
  }
  return { version, standard, compound, maxPartitions, keySource, cacheTTL: store.cacheTTL, maxCacheSize };
}

/** A random partition, uniform over 0..count-1. */
function randomPartition(count: number): number {
  const limit = 256 - (256 % count);
  for (;;) {
    const byte = randomBytes(1)[0] as number;
    if (byte < limit) return byte % count;
  }
}

/** Checks a search config against the table's facts and returns its beacons. Throws `ERR_BEACON_CONFIG`. */
export function createSearchableTable(search: SearchConfig, facts: SearchTableFacts, options: SearchableTableOptions = {}): SearchableTable {
  const { version, standard, compound, maxPartitions, keySource, cacheTTL, maxCacheSize } = resolve(search, facts);
  const { logicalTableName } = facts;
  const actions = facts.attributeActionsOnEncrypt;
  const keys = new BeaconKeySource({ keyStore: version.keyStore, beaconNames: [...standard.keys()], cacheTTL, maxCacheSize, clock: options.clock });
  const all = new Map<string, StandardBeaconDef | CompoundBeaconDef>([...standard, ...compound]);
  const beacons: QueryBeacon[] = [...all.values()].filter((b) => !(b instanceof StandardBeaconDef && b.spec.partOnly));
  const signedBeacons = [...compound.values()].filter((b) => !b.encrypted);
  const signedBeaconActions = Object.freeze(Object.fromEntries(signedBeacons.map((b) => [b.name, 'SIGN_ONLY' as const])));

  const keyMaterials = (beaconKeyId: string | undefined): Promise<BeaconKeyMaterials> => {
    if (keySource.kind === 'single') return keys.materials(keySource.keyId);
    if (typeof beaconKeyId !== 'string' || beaconKeyId.length === 0) {
      return Promise.reject(new DdbecError('ERR_INVALID_ARGUMENT', `table ${logicalTableName} is multi-tenant: its beacon keys need a beacon key id`));
    }
    return keys.materials(beaconKeyId);
  };

  const beaconKeyIdOf = (stored: Item): string | undefined => {
    const head = Object.hasOwn(stored, HEADER_ATTRIBUTE) ? stored[HEADER_ATTRIBUTE] : undefined;
    if (head === undefined || !('B' in head)) return undefined;
    const edks = parseHeader(head.B).encryptedDataKeys;
    const edk = edks[0];
    if (edks.length !== 1 || edk === undefined || edk.keyProviderId !== HIERARCHY_PROVIDER_ID) return undefined;
    return utf8DecodeStrict(edk.keyProviderInfo);
  };

  const partitionOf = (item: Item): number => {
    const selector = version.partitionSelector;
    if (selector === undefined) return maxPartitions === 1 ? 0 : randomPartition(maxPartitions);
    const partition = selector(item, maxPartitions, logicalTableName);
    if (!Number.isInteger(partition) || partition < 0 || partition >= maxPartitions) {
      throw new DdbecError('ERR_BEACON_WRITE', `the partitionSelector of table ${logicalTableName} returned ${String(partition)}; it must be an integer from 0 to ${String(maxPartitions - 1)}`);
    }
    return partition;
  };

  const table: SearchableTable = {
    logicalTableName,
    signedBeaconActions,
    maxPartitions,
    keySource,
    beacons: Object.freeze(beacons),

    queryBeacon(name) {
      const beacon = all.get(name);
      if (beacon instanceof StandardBeaconDef && beacon.spec.partOnly) {
        throw new DdbecError('ERR_BEACON_QUERY', `beacon ${name} is partOnly: it is not stored on its own and can only be queried through a compound beacon`);
      }
      return beacon;
    },

    plaintextOf(name, item) {
      const beacon = all.get(name);
      if (beacon === undefined) throw new DdbecError('ERR_BEACON_QUERY', `table ${logicalTableName} has no beacon named ${name}`);
      return beacon.plaintextOf(item, 'ERR_BEACON_QUERY');
    },

    beforeEncrypt(item) {
      const out: Item = { ...item };
      let beaconKeyId: string | undefined;
      if (keySource.kind === 'multi' && Object.hasOwn(item, keySource.keyFieldName)) {
        const field = item[keySource.keyFieldName] as AttributeValue;
        if (!('S' in field)) throw new DdbecError('ERR_BEACON_WRITE', `the beacon key field ${keySource.keyFieldName} must be a string (S)`);
        beaconKeyId = field.S;
        const action = Object.hasOwn(actions, keySource.keyFieldName) ? actions[keySource.keyFieldName] : undefined;
        if (action === undefined || action === 'DO_NOTHING') Reflect.deleteProperty(out, keySource.keyFieldName);
      }
      for (const beacon of standard.values()) beacon.check(item);
      for (const beacon of compound.values()) {
        const value = beacon.build(item, undefined, 0, 'ERR_BEACON_WRITE');
        if (beacon.encrypted || value === undefined) continue;
        const supplied = Object.hasOwn(item, beacon.name) ? item[beacon.name] : undefined;
        if (supplied !== undefined && !('S' in supplied && supplied.S === value)) {
          throw new DdbecError('ERR_BEACON_WRITE', `the item's ${beacon.name} differs from the signed beacon its parts build`);
        }
        out[beacon.name] = { S: value };
      }
      return { item: out, beaconKeyId };
    },

    async afterEncrypt(plaintext, stored, beaconKeyId) {
      let keyId: string | undefined;
      if (keySource.kind === 'multi') {
        keyId = beaconKeyIdOf(stored);
        if (keyId === undefined) {
          throw new DdbecError('ERR_BEACON_WRITE', `table ${logicalTableName} is multi-tenant: an item must be encrypted by one hierarchical keyring only (one ${HIERARCHY_PROVIDER_ID} encrypted data key)`);
        }
        if (beaconKeyId !== undefined && beaconKeyId !== keyId) {
          throw new DdbecError('ERR_BEACON_WRITE', `the beacon key field ${keySource.keyFieldName} names beacon key ${beaconKeyId}, but the item was encrypted under branch key ${keyId}`);
        }
      }
      const partition = partitionOf(plaintext);
      const materials = await keyMaterials(keyId);
      const out: Item = { ...stored };
      for (const beacon of standard.values()) {
        if (beacon.spec.partOnly) continue;
        const value = beacon.hash(plaintext, materials, partition);
        if (value !== undefined) out[beacon.storedName] = value;
      }
      for (const beacon of compound.values()) {
        if (!beacon.encrypted) continue;
        const value = beacon.build(plaintext, materials, partition, 'ERR_BEACON_WRITE');
        if (value !== undefined) out[beacon.storedName] = { S: value };
      }
      out[VERSION_TAG] = { S: ' ' };
      return out;
    },

    keyMaterials,
    beaconKeyIdOf,
  };
  return Object.freeze(table);
}
