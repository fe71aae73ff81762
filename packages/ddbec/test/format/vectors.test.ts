import { createHash } from 'node:crypto';
import { expect, it } from 'vitest';
import {
  CryptoAction,
  decodeMaterialDescription,
  deserializeAttribute,
  encodeMaterialDescription,
  serializeAttribute,
  stringToSign,
  type AttributeValue,
  type Item,
  type SerializationProfile,
} from '../../src/format/index.js';
import { normalize } from '../support/arbitraries.js';
import { describeVectors, fromBase64, readVectorJson, toBase64 } from '../support/vectors.js';

/** A value of the vector files: DynamoDB JSON with `B`/`BS` as base64. */
type JsonAttribute =
  | { S: string }
  | { N: string }
  | { B: string }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] }
  | { L: JsonAttribute[] }
  | { M: Record<string, JsonAttribute> }
  | { NULL: boolean }
  | { BOOL: boolean };

function fromJson(value: JsonAttribute): AttributeValue {
  if ('B' in value) return { B: fromBase64(value.B) };
  if ('BS' in value) return { BS: value.BS.map(fromBase64) };
  if ('L' in value) return { L: value.L.map(fromJson) };
  if ('M' in value) return { M: Object.fromEntries(Object.entries(value.M).map(([k, v]) => [k, fromJson(v)])) };
  return value;
}

const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());
const PROFILES: SerializationProfile[] = ['java', 'python'];

describeVectors('serialize_attribute.json', () => {
  const vectors = readVectorJson<{ attribute: JsonAttribute; serialized: string }[]>('serialize_attribute.json');
  it('has the 22 entries the spec counts', () => {
    expect(vectors).toHaveLength(22);
  });
  it.each(vectors.map((v, i) => [i, v] as const))('vector %i is byte-exact in both profiles', (_i, vector) => {
    for (const profile of PROFILES) {
      expect(toBase64(serializeAttribute(fromJson(vector.attribute), profile))).toBe(vector.serialized);
    }
  });
});

describeVectors('deserialize_attribute.json', () => {
  const vectors = readVectorJson<{ attribute: JsonAttribute; serialized: string }[]>('deserialize_attribute.json');
  it('has the 15 entries the spec counts', () => {
    expect(vectors).toHaveLength(15);
  });
  it.each(vectors.map((v, i) => [i, v] as const))('vector %i deserializes to the attribute', (_i, vector) => {
    const value = deserializeAttribute(fromBase64(vector.serialized));
    expect(normalize(value)).toEqual(normalize(fromJson(vector.attribute)));
    // …and serializes back to the same bytes.
    expect(toBase64(serializeAttribute(value))).toBe(vector.serialized);
  });
});

describeVectors('material_description.json', () => {
  const vectors = readVectorJson<{ material_description: Record<string, string>; serialized: string }[]>('material_description.json');
  it.each(vectors.map((v, i) => [i, v] as const))('vector %i encodes and decodes', (_i, vector) => {
    expect(toBase64(encodeMaterialDescription(vector.material_description))).toBe(vector.serialized);
    expect(toBase64(encodeMaterialDescription(new Map(Object.entries(vector.material_description))))).toBe(vector.serialized);
    expect(Object.fromEntries(decodeMaterialDescription(fromBase64(vector.serialized)))).toEqual(vector.material_description);
  });
});

describeVectors('string_to_sign.json', () => {
  type Action = 'encrypt' | 'sign' | 'nothing';
  const ACTIONS: Record<Action, CryptoAction> = {
    encrypt: CryptoAction.EncryptAndSign,
    sign: CryptoAction.SignOnly,
    nothing: CryptoAction.DoNothing,
  };
  const vectors = readVectorJson<
    { table: string; item: Record<string, { value: JsonAttribute; action: Action }>; string_to_sign: string }[]
  >('string_to_sign.json');
  it.each(vectors.map((v, i) => [i, v] as const))('vector %i', (_i, vector) => {
    const item: Item = Object.fromEntries(Object.entries(vector.item).map(([name, { value }]) => [name, fromJson(value)]));
    const actionOf = (name: string): CryptoAction => {
      const entry = vector.item[name];
      if (entry === undefined) throw new Error(`no action for ${name}`);
      return ACTIONS[entry.action];
    };
    for (const profile of PROFILES) {
      expect(toBase64(stringToSign({ tableName: vector.table, item, actionOf, sha256, profile }))).toBe(vector.string_to_sign);
    }
    const hashName = (name: string): Uint8Array => sha256(new TextEncoder().encode(name));
    expect(toBase64(stringToSign({ tableName: vector.table, item, actionOf, sha256, hashName }))).toBe(vector.string_to_sign);
  });
});
