import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { CryptoAction, type AttributeValue, type Item } from 'ddbec';

/** The vector files of the Java/Python clients (legacy-format §11.5–§11.7), as typed data. */
export type VectorAction = 'encrypt' | 'sign' | 'nothing';

export interface KeyEntry {
  readonly material?: string;
  readonly algorithm?: string;
  readonly encoding?: 'RAW' | 'DER' | 'PEM';
  readonly type?: 'symmetric' | 'public' | 'private';
  readonly keyId?: string;
}

export interface ScenarioKeys {
  readonly decrypt: string;
  readonly verify: string;
  readonly encrypt?: string;
  readonly sign?: string;
}

export interface Scenario {
  readonly version: string;
  /** `static`, `wrapped`, `awskms` or `most_recent`; other values are reported as unknown. */
  readonly provider: string;
  readonly keys?: ScenarioKeys;
  readonly material_name?: string;
  readonly metastore?: { table_name: string; provider: string; keys: ScenarioKeys; ciphertext: string };
  readonly plaintext: string;
  readonly ciphertext: string;
  readonly network?: boolean;
}

export interface ScenariosFile {
  readonly plaintext: string;
  readonly keys: string;
  readonly scenarios: readonly Scenario[];
}

export interface PlaintextFile {
  readonly actions: Record<string, { default: VectorAction; override?: Record<string, VectorAction> }>;
  readonly items: Record<
    string,
    {
      index: { partition: string; sort?: string };
      index_types?: Record<string, string>;
      items: { attributes: Record<string, unknown>; action: string; exact?: boolean }[];
    }
  >;
  readonly versions: Record<string, Record<string, string[]>>;
  readonly attributes: Record<string, Record<string, unknown>>;
}

/** A table's plaintext item, expanded for one scenario version, with its actions. */
export interface ExpandedItem {
  readonly attributes: Item;
  readonly actions: { defaultAction: CryptoAction; attributeActions: Record<string, CryptoAction> };
}

export interface ExpandedTable {
  readonly partitionKey: string;
  readonly sortKey: string | undefined;
  readonly items: readonly ExpandedItem[];
}

export const ACTIONS: Readonly<Record<VectorAction, CryptoAction>> = {
  encrypt: CryptoAction.EncryptAndSign,
  sign: CryptoAction.SignOnly,
  nothing: CryptoAction.DoNothing,
};
const RANK: Readonly<Record<CryptoAction, number>> = { DO_NOTHING: 0, SIGN_ONLY: 1, ENCRYPT_AND_SIGN: 2 };

export async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

/** `file://x/y.json` relative to the directory of the file that names it. */
export function resolveUri(baseFile: string, uri: string): string {
  if (!uri.startsWith('file://')) throw new Error(`unsupported URI "${uri}" (only file:// is used by the vectors)`);
  return resolve(dirname(baseFile), uri.slice('file://'.length));
}

/** Expands the plaintext items of every table for a scenario version (legacy-format §11.6). */
export function expandPlaintext(plaintext: PlaintextFile, version: string): Map<string, ExpandedTable> {
  const tables = new Map<string, ExpandedTable>();
  for (const [tableName, table] of Object.entries(plaintext.items)) {
    const groups = plaintext.versions[tableName]?.[version] ?? [];
    const keys = [table.index.partition, table.index.sort].filter((name): name is string => name !== undefined);
    const items = table.items.map((entry): ExpandedItem => {
      const attributes: Record<string, unknown> = { ...entry.attributes };
      if (entry.exact !== true) {
        for (const group of groups) Object.assign(attributes, plaintext.attributes[group]);
      }
      const set = plaintext.actions[entry.action];
      if (!set) throw new Error(`plaintext item uses unknown action set "${entry.action}"`);
      const defaultAction = ACTIONS[set.default];
      const attributeActions: Record<string, CryptoAction> = {};
      for (const [name, action] of Object.entries(set.override ?? {})) attributeActions[name] = ACTIONS[action];
      for (const key of keys) {
        const action = attributeActions[key] ?? defaultAction;
        attributeActions[key] = RANK[action] <= RANK[CryptoAction.SignOnly] ? action : CryptoAction.SignOnly;
      }
      return { attributes: fromVectorItem(attributes), actions: { defaultAction, attributeActions } };
    });
    tables.set(tableName, { partitionKey: table.index.partition, sortKey: table.index.sort, items });
  }
  return tables;
}

/** DynamoDB JSON with base64 `B`/`BS` (the vector files' form) → SDK attribute values. */
export function fromVectorValue(value: unknown): AttributeValue {
  const entries = Object.entries(value as Record<string, unknown>);
  const [type, body] = entries[0] ?? [];
  if (entries.length !== 1 || type === undefined) throw new Error('a vector attribute value must have exactly one type');
  if (body === undefined || body === null) throw new Error(`vector attribute value of type ${type} has no body`);
  switch (type) {
    case 'B':
      return { B: base64ToBytes(body as string) };
    case 'BS':
      return { BS: (body as string[]).map(base64ToBytes) };
    case 'L':
      return { L: (body as unknown[]).map(fromVectorValue) };
    case 'M':
      return { M: fromVectorItem(body as Record<string, unknown>) };
    default:
      return { [type]: body } as AttributeValue;
  }
}

export function fromVectorItem(item: Record<string, unknown>): Item {
  const result: Item = {};
  for (const [name, value] of Object.entries(item)) result[name] = fromVectorValue(value);
  return result;
}

export function toVectorValue(value: AttributeValue): unknown {
  if ('B' in value) return { B: bytesToBase64(value.B) };
  if ('BS' in value) return { BS: value.BS.map(bytesToBase64) };
  if ('L' in value) return { L: value.L.map(toVectorValue) };
  if ('M' in value) return { M: toVectorItem(value.M) };
  return value;
}

export function toVectorItem(item: Item): Record<string, unknown> {
  const result: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) result[name] = toVectorValue(value);
  return result;
}

export const base64ToBytes = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'base64'));
export const bytesToBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');
