import { isDdbecError } from '../errors.js';
import { CryptoAction } from '../format/index.js';
import type { AttributeActions } from '../encryptor/index.js';
import { ELECTRODB_MARKERS, ORM_LABEL, TOOLBOX_ATTRIBUTES, type OrmName } from '../sdk/orm-hints.js';
import type { TableKeySchema } from '../sdk/config.js';
import { ormPreset, type OrmPreset, type OrmPresetOptions } from './presets.js';

/** What {@link checkOrmConfiguration} looks at. */
export interface OrmCheckInput extends OrmPresetOptions {
  /** The table's key schema (with its indexes, whose keys are never encrypted). */
  readonly keySchema: TableKeySchema;
  /** The actions the table is (to be) configured with. */
  readonly attributeActions: AttributeActions;
  /** The ORM; found from `items` (their markers) when not given. */
  readonly orm?: OrmName;
  /** A sample of plaintext items as the ORM writes them (only their attribute names are read). */
  readonly items?: readonly object[];
}

export type OrmFindingKind =
  /** The ORM writes the attribute in updates, and the attribute's action makes those updates fail. */
  | 'signed-update'
  /** The ORM filters on the attribute, which is encrypted: those reads fail. */
  | 'encrypted-filter'
  /** A key attribute would be encrypted: the configuration is refused. */
  | 'encrypted-key'
  /** The attribute is copied in plaintext into a key attribute: encrypting it hides nothing. */
  | 'plaintext-copy'
  /** Updating these attributes in place rewrites a signed index key: such updates are refused. */
  | 'index-key-update'
  /** The attribute is do-nothing: anyone who can write to the table can change it unnoticed. */
  | 'unauthenticated';

export interface OrmFinding {
  /** `error`: requests will fail (or the configuration is refused); `warning`: a trade-off to know. */
  readonly severity: 'error' | 'warning';
  readonly kind: OrmFindingKind;
  /** The attribute(s) concerned, as stored. */
  readonly attributes: readonly string[];
  readonly message: string;
}

export interface OrmCheckReport {
  /** The ORM checked for (given, or found from the items' markers). */
  readonly orm: OrmName | undefined;
  /** Every attribute seen: the preset's, the keys', the items'. */
  readonly attributes: readonly string[];
  /** The action of each of them, key attributes made sign-only as the SDK integration does. */
  readonly actions: Readonly<Record<string, CryptoAction>>;
  readonly findings: readonly OrmFinding[];
}

/**
 * Checks a table's attribute actions against how an ORM uses the table, before any data is
 * written (a configuration chosen wrongly is expensive: items signed one way cannot be read
 * after switching an attribute's action). Reports attributes the ORM rewrites in updates but
 * that are signed, filters on encrypted attributes, encrypted attributes the ORM copies into
 * keys in plaintext, and every unauthenticated (do-nothing) attribute.
 */
export function checkOrmConfiguration(input: OrmCheckInput): OrmCheckReport {
  const orm = input.orm ?? ormOfItems(input.items ?? []);
  const preset = orm === undefined ? undefined : ormPreset(orm, input);
  const schema = input.keySchema;
  // The key attributes of the table and its indexes, and those the ORM's entities say are keys.
  const keys = [
    ...new Set([
      schema.partitionKey,
      schema.sortKey,
      ...(schema.indexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey]),
      ...(preset?.derivedKeys.map((key) => key.attribute) ?? []),
    ]),
  ].filter((name): name is string => name !== undefined);
  const findings: OrmFinding[] = [];
  let actions = input.attributeActions;
  try {
    actions = actions.withKeyAttributes(...keys);
  } catch (error) {
    if (!isDdbecError(error, 'ERR_KEY_ATTRIBUTE_ENCRYPTED')) throw error;
    const encrypted = keys.filter((name) => input.attributeActions.overrides.get(name) === CryptoAction.EncryptAndSign);
    findings.push({ severity: 'error', kind: 'encrypted-key', attributes: encrypted, message: `${list(encrypted)} ${encrypted.length === 1 ? 'is a key attribute' : 'are key attributes'}: DynamoDB must read ${encrypted.length === 1 ? 'it' : 'them'}, so ${encrypted.length === 1 ? 'it' : 'they'} cannot be ENCRYPT_AND_SIGN; make ${encrypted.length === 1 ? 'it' : 'them'} SIGN_ONLY` });
  }
  const names = new Set<string>(keys);
  for (const name of [...(preset?.signOnly ?? []), ...(preset?.doNothing ?? []), ...(preset?.derivedKeys.flatMap((key) => [key.attribute, ...key.from]) ?? [])]) names.add(name);
  for (const item of input.items ?? []) for (const name of Object.keys(item)) names.add(name);
  for (const name of actions.overrides.keys()) names.add(name);
  const actionOf = (name: string): CryptoAction => actions.actionOf(name);
  if (preset) findings.push(...presetFindings(preset, actionOf));

  const unauthenticated = [...names].filter((name) => actionOf(name) === CryptoAction.DoNothing);
  for (const name of unauthenticated) {
    const reason = preset?.doNothing.includes(name) ? ` (the ${ORM_LABEL[preset.orm]} preset leaves it so because every update changes it)` : '';
    findings.push({
      severity: 'warning',
      kind: 'unauthenticated',
      attributes: [name],
      message: `"${name}" is DO_NOTHING${reason}: it is neither signed nor encrypted, so anyone who can write to the table can change it and reads will not notice`,
    });
  }
  if (actions.defaultAction === CryptoAction.DoNothing) {
    findings.push({ severity: 'warning', kind: 'unauthenticated', attributes: [], message: 'the default action is DO_NOTHING: every attribute without an action of its own is unauthenticated' });
  }
  return {
    orm,
    attributes: [...names],
    actions: Object.fromEntries([...names].map((name) => [name, actionOf(name)])),
    findings,
  };
}

function presetFindings(preset: OrmPreset, actionOf: (name: string) => CryptoAction): OrmFinding[] {
  const findings: OrmFinding[] = [];
  const orm = ORM_LABEL[preset.orm];
  for (const { attribute, changes } of preset.writtenByUpdates) {
    const action = actionOf(attribute);
    if (changes && action !== CryptoAction.DoNothing) {
      findings.push({
        severity: 'error',
        kind: 'signed-update',
        attributes: [attribute],
        message: `${orm} gives "${attribute}" a new value in every update, and it is ${action}: every update will be refused (ERR_SIGNED_ATTRIBUTE_UPDATE). Make it DO_NOTHING (unauthenticated), turn it off in ${orm}, or write whole items only`,
      });
    } else if (!changes && action === CryptoAction.EncryptAndSign) {
      findings.push({
        severity: 'error',
        kind: 'signed-update',
        attributes: [attribute],
        message: `${orm} writes "${attribute}" in every update (with the value it has), and it is encrypted: every update will be refused (ERR_SIGNED_ATTRIBUTE_UPDATE). Make it SIGN_ONLY: ddbec then lets the write through on condition that the value is unchanged`,
      });
    }
  }
  for (const attribute of preset.filteredOn) {
    if (actionOf(attribute) !== CryptoAction.EncryptAndSign) continue;
    findings.push({
      severity: 'error',
      kind: 'encrypted-filter',
      attributes: [attribute],
      message: `${orm} filters on "${attribute}", which is encrypted: those reads will be refused (ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION). Make it SIGN_ONLY`,
    });
  }
  for (const key of preset.derivedKeys) {
    const encrypted = key.from.filter((name) => actionOf(name) === CryptoAction.EncryptAndSign);
    if (encrypted.length > 0) {
      findings.push({
        severity: 'warning',
        kind: 'plaintext-copy',
        attributes: encrypted,
        message: `${orm} copies ${list(encrypted)} in plaintext into key attribute "${key.attribute}" (access pattern "${key.accessPattern}"): encrypting ${encrypted.length === 1 ? 'it' : 'them'} hides nothing. Make ${encrypted.length === 1 ? 'it' : 'them'} SIGN_ONLY, or keep ${encrypted.length === 1 ? 'it' : 'them'} out of keys`,
      });
    }
    if (!key.primary && key.from.length > 0 && actionOf(key.attribute) !== CryptoAction.DoNothing) {
      findings.push({
        severity: 'warning',
        kind: 'index-key-update',
        attributes: key.from,
        message: `updating ${list(key.from)} in place makes ${orm} rewrite index key "${key.attribute}", which is signed: such updates are refused; change ${key.from.length === 1 ? 'it' : 'them'} with put or readModifyWrite()`,
      });
    }
  }
  return findings;
}

/** The ORM whose markers the items carry. */
function ormOfItems(items: readonly object[]): OrmName | undefined {
  for (const item of items) {
    if (ELECTRODB_MARKERS.some((marker) => Object.hasOwn(item, marker))) return 'electrodb';
    if (Object.hasOwn(item, TOOLBOX_ATTRIBUTES.entity)) return 'dynamodb-toolbox';
  }
  return undefined;
}

function list(names: readonly string[]): string {
  return names.map((name) => `"${name}"`).join(', ');
}
