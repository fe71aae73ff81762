import { DdbecError } from '../errors.js';
import { CryptoAction } from '../format/index.js';
import { AttributeActions } from '../encryptor/index.js';
import { DYNAMOOSE_TIMESTAMPS, ELECTRODB_MARKERS, TOOLBOX_ATTRIBUTES, type OrmName } from '../sdk/orm-hints.js';

/**
 * What a preset needs to know about the application's use of an ORM. Entity definitions are
 * read structurally (ddbec never imports an ORM): give them when you can, the names otherwise.
 */
export interface OrmPresetOptions {
  /**
   * The ORM's entities: ElectroDB `Entity` objects (their markers, key fields and the
   * attributes the keys are composed of) or dynamodb-toolbox `Entity` objects (their entity
   * and timestamp attributes, as saved).
   */
  readonly entities?: readonly object[];
  /**
   * ElectroDB without `entities`: the attributes (as stored) that the keys are composed of.
   * ElectroDB writes the primary key's ones in every update, with the value they have.
   */
  readonly compositeAttributes?: readonly string[];
  /** dynamodb-toolbox without `entities`: the entity attribute as saved (default `_et`; `false`: turned off). */
  readonly entityAttribute?: string | false;
  /** dynamodb-toolbox (`_ct`) or dynamoose (`createdAt`): the creation timestamp as saved; `false`: turned off. */
  readonly createdAttribute?: string | false;
  /** dynamodb-toolbox (`_md`) or dynamoose (`updatedAt`): the modification timestamp as saved; `false`: turned off. */
  readonly modifiedAttribute?: string | false;
}

/** A key attribute an ORM builds from other attributes (ElectroDB's `gsi1pk = $app#org_…`). */
export interface DerivedKey {
  /** The key attribute, as stored. */
  readonly attribute: string;
  /** The attributes (as stored) whose values it holds in plaintext. */
  readonly from: readonly string[];
  /** ElectroDB's access pattern (index) it belongs to. */
  readonly accessPattern: string;
  /** True for the table's own key (never written by updates), false for a secondary index's. */
  readonly primary: boolean;
}

/** What an ORM does with the attributes it manages, and the actions ddbec's preset gives them. */
export interface OrmPreset {
  readonly orm: OrmName;
  /** Made sign-only: authenticated, stored in plaintext (the ORM compares or rewrites them with their value). */
  readonly signOnly: readonly string[];
  /** Made do-nothing — unauthenticated — because the ORM gives them a new value in every update. */
  readonly doNothing: readonly string[];
  /** What the ORM writes in every update; `changes`: with a new value (else the value stored, which ddbec lets through for sign-only attributes). */
  readonly writtenByUpdates: readonly { readonly attribute: string; readonly changes: boolean }[];
  /** What the ORM's scans or queries filter on (so it must not be encrypted). */
  readonly filteredOn: readonly string[];
  /** Key attributes built from other attributes (ElectroDB). */
  readonly derivedKeys: readonly DerivedKey[];
}

export const ORM_NAMES: readonly OrmName[] = ['electrodb', 'dynamodb-toolbox', 'dynamoose'];

/**
 * The preset for an ORM: the attributes it writes on its own, and the least protection each
 * can have for the ORM to work — sign-only wherever the ORM writes a value that does not change
 * (ddbec lets such writes through, guarded), do-nothing only where every update changes it.
 */
export function ormPreset(orm: OrmName, options: OrmPresetOptions = {}): OrmPreset {
  if (typeof options !== 'object' || options === null) throw invalid('the preset options must be an object');
  switch (orm) {
    case 'electrodb':
      return electroDbPreset(options);
    case 'dynamodb-toolbox':
      return toolboxPreset(options);
    case 'dynamoose':
      return dynamoosePreset(options);
    default:
      throw invalid(`unknown ORM ${JSON.stringify(orm)}: expected one of ${ORM_NAMES.join(', ')}`);
  }
}

/** Options of {@link ormAttributeActions}: the preset's, plus your own actions (which win). */
export interface OrmAttributeActionsOptions extends OrmPresetOptions {
  /** The action of every attribute the preset and `attributeActions` do not name. Default `EncryptAndSign`. */
  readonly defaultAction?: CryptoAction;
  /** Your actions; they take precedence over the preset's. */
  readonly attributeActions?: Readonly<Record<string, CryptoAction>>;
}

/**
 * Attribute actions for a table used through an ORM: the preset's (see {@link ormPreset}),
 * then your `attributeActions`, every other attribute `defaultAction` (encrypted and signed
 * unless you say otherwise). Key attributes are made sign-only by the SDK integration.
 */
export function ormAttributeActions(orm: OrmName, options: OrmAttributeActionsOptions = {}): AttributeActions {
  const preset = ormPreset(orm, options);
  return new AttributeActions({
    ...(options.defaultAction === undefined ? {} : { defaultAction: options.defaultAction }),
    attributeActions: { ...presetOverrides(preset), ...options.attributeActions },
  });
}

/** The per-attribute actions a preset sets. */
export function presetOverrides(preset: OrmPreset): Record<string, CryptoAction> {
  const overrides: Record<string, CryptoAction> = {};
  for (const name of preset.signOnly) overrides[name] = CryptoAction.SignOnly;
  for (const name of preset.doNothing) overrides[name] = CryptoAction.DoNothing;
  return overrides;
}

// ---- ElectroDB ------------------------------------------------------------------------------

interface ElectroIndexKey {
  readonly field?: unknown;
  readonly facets?: unknown;
}

function electroDbPreset(options: OrmPresetOptions): OrmPreset {
  const markers = new Set<string>();
  const composites = new Set<string>(stringList(options.compositeAttributes, 'compositeAttributes'));
  const writtenByUpdates = new Set<string>(composites);
  const derivedKeys: DerivedKey[] = [];
  for (const [i, entity] of (options.entities ?? []).entries()) {
    const model = (entity as { model?: { indexes?: unknown; schema?: { attributes?: unknown } } }).model;
    const indexes = model?.indexes;
    if (typeof indexes !== 'object' || indexes === null) throw invalid(`entities[${i}] is not an ElectroDB Entity (no model.indexes)`);
    const attributes = (model?.schema?.attributes ?? {}) as Readonly<Record<string, { field?: unknown }>>;
    const stored = (name: string): string => {
      const field = attributes[name]?.field;
      return typeof field === 'string' && field !== '' ? field : name;
    };
    const identifiers = (entity as { identifiers?: { entity?: unknown; version?: unknown } }).identifiers;
    for (const marker of [identifiers?.entity, identifiers?.version]) if (typeof marker === 'string') markers.add(marker);
    for (const [accessPattern, index] of Object.entries(indexes as Readonly<Record<string, { index?: unknown; pk?: ElectroIndexKey; sk?: ElectroIndexKey }>>)) {
      const primary = index.index === '' || index.index === undefined;
      for (const key of [index.pk, index.sk]) {
        if (typeof key?.field !== 'string') continue;
        const from = (Array.isArray(key.facets) ? key.facets : []).filter((name): name is string => typeof name === 'string').map(stored);
        for (const name of from) {
          if (name === key.field) continue;
          composites.add(name);
          if (primary) writtenByUpdates.add(name);
        }
        if (!(from.length === 1 && from[0] === key.field)) derivedKeys.push({ attribute: key.field, from, accessPattern, primary });
      }
    }
  }
  if (markers.size === 0) for (const marker of ELECTRODB_MARKERS) markers.add(marker);
  return {
    orm: 'electrodb',
    signOnly: [...markers, ...composites],
    doNothing: [],
    writtenByUpdates: [...markers, ...writtenByUpdates].map((attribute) => ({ attribute, changes: false })),
    filteredOn: [...markers],
    derivedKeys,
  };
}

// ---- dynamodb-toolbox -----------------------------------------------------------------------

interface ToolboxNames {
  entity: string | false;
  created: string | false;
  modified: string | false;
}

function toolboxPreset(options: OrmPresetOptions): OrmPreset {
  const names: ToolboxNames[] = (options.entities ?? []).map((entity, i) => toolboxNames(entity, i));
  if (names.length === 0) {
    names.push({
      entity: attributeName(options.entityAttribute, TOOLBOX_ATTRIBUTES.entity, 'entityAttribute'),
      created: attributeName(options.createdAttribute, TOOLBOX_ATTRIBUTES.created, 'createdAttribute'),
      modified: attributeName(options.modifiedAttribute, TOOLBOX_ATTRIBUTES.modified, 'modifiedAttribute'),
    });
  }
  const pick = (which: keyof ToolboxNames): string[] => [...new Set(names.map((entry) => entry[which]).filter((name): name is string => name !== false))];
  const kept = [...pick('entity'), ...pick('created')];
  const modified = pick('modified');
  return {
    orm: 'dynamodb-toolbox',
    signOnly: kept,
    doNothing: modified,
    writtenByUpdates: [...kept.map((attribute) => ({ attribute, changes: false })), ...modified.map((attribute) => ({ attribute, changes: true }))],
    filteredOn: pick('entity'),
    derivedKeys: [],
  };
}

/** The saved names of a dynamodb-toolbox v2 entity's internal attributes. */
function toolboxNames(entity: object, i: number): ToolboxNames {
  const schema = (entity as { schema?: { attributes?: unknown } }).schema;
  const attributes = schema?.attributes;
  if ((entity as { type?: unknown }).type !== 'entity' || typeof attributes !== 'object' || attributes === null) {
    throw invalid(`entities[${i}] is not a dynamodb-toolbox Entity (no schema.attributes)`);
  }
  const saved = (name: string): string => {
    const savedAs = (attributes as Readonly<Record<string, { props?: { savedAs?: unknown } }>>)[name]?.props?.savedAs;
    return typeof savedAs === 'string' ? savedAs : name;
  };
  const { entityAttribute, timestamps } = entity as { entityAttribute?: unknown; timestamps?: unknown };
  const named = (value: unknown, fallback: string): string | false => {
    if (value === false || value === undefined) return false;
    const name = typeof value === 'object' && value !== null ? (value as { name?: unknown }).name : undefined;
    return saved(typeof name === 'string' ? name : fallback);
  };
  const stamps = timestamps === true ? { created: true, modified: true } : ((timestamps ?? {}) as { created?: unknown; modified?: unknown });
  return {
    entity: named(entityAttribute, 'entity'),
    created: timestamps === false ? false : named(stamps.created ?? false, 'created'),
    modified: timestamps === false ? false : named(stamps.modified ?? false, 'modified'),
  };
}

// ---- dynamoose ------------------------------------------------------------------------------

function dynamoosePreset(options: OrmPresetOptions): OrmPreset {
  if (options.entities !== undefined) throw invalid('dynamoose models are not read: give createdAttribute and modifiedAttribute instead');
  const created = attributeName(options.createdAttribute, DYNAMOOSE_TIMESTAMPS.createdAt, 'createdAttribute');
  const modified = attributeName(options.modifiedAttribute, DYNAMOOSE_TIMESTAMPS.updatedAt, 'modifiedAttribute');
  return {
    orm: 'dynamoose',
    signOnly: created === false ? [] : [created],
    doNothing: modified === false ? [] : [modified],
    writtenByUpdates: modified === false ? [] : [{ attribute: modified, changes: true }],
    filteredOn: [],
    derivedKeys: [],
  };
}

// ---- helpers --------------------------------------------------------------------------------

function attributeName(value: string | false | undefined, fallback: string, what: string): string | false {
  if (value === undefined) return fallback;
  if (value === false || (typeof value === 'string' && value !== '')) return value;
  throw invalid(`${what} must be an attribute name or false`);
}

function stringList(value: readonly string[] | undefined, what: string): readonly string[] {
  if (value === undefined) return [];
  const names: unknown = value;
  if (!Array.isArray(names) || names.some((name) => typeof name !== 'string' || name === '')) throw invalid(`${what} must be an array of attribute names`);
  return value;
}

function invalid(message: string): DdbecError {
  return new DdbecError('ERR_INVALID_ARGUMENT', message);
}
