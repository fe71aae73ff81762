/**
 * Items as the DB-ESDK vectors write them (their JsonItem.dfy): a JSON string is `S`, a JSON
 * number `N`, an object with one DynamoDB type key that value (binary as base64, `M` values and
 * `L` entries again in this form); and comparison after DynamoDB's normalization (numbers
 * canonical, set members sorted).
 */
import type { AttributeValue, Item } from '../../src/format/attribute-value.js';
import { canonicalizeNumber } from '../../src/format/number.js';

function fromVectorValue(value: unknown): AttributeValue {
  if (typeof value === 'string') return { S: value };
  if (typeof value === 'number') return { N: String(value) };
  if (typeof value !== 'object' || value === null) throw new Error(`not a vector attribute value: ${JSON.stringify(value)}`);
  const [type, data] = Object.entries(value)[0] ?? [];
  const b64 = (text: unknown): Uint8Array => new Uint8Array(Buffer.from(String(text), 'base64'));
  switch (type) {
    case 'S':
    case 'N':
      return { [type]: String(data) } as AttributeValue;
    case 'B':
      return { B: b64(data) };
    case 'SS':
    case 'NS':
      return { [type]: (data as unknown[]).map(String) } as AttributeValue;
    case 'BS':
      return { BS: (data as unknown[]).map(b64) };
    case 'L':
      return { L: (data as unknown[]).map(fromVectorValue) };
    case 'M':
      return { M: fromVectorItem(data as Record<string, unknown>) };
    case 'BOOL':
      return { BOOL: data === true };
    case 'NULL':
      return { NULL: true };
    default:
      throw new Error(`unknown vector attribute type ${String(type)}`);
  }
}

export function fromVectorItem(item: Record<string, unknown>): Item {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, fromVectorValue(value)]));
}

/** A comparable form: numbers canonical, set members sorted, binary as base64. */
export function normalized(value: Item | AttributeValue): unknown {
  if (!('S' in value || 'N' in value || 'B' in value || 'SS' in value || 'NS' in value || 'BS' in value || 'L' in value || 'M' in value || 'BOOL' in value || 'NULL' in value) || Object.keys(value).length !== 1) {
    return Object.fromEntries(Object.entries(value as Item).map(([k, v]) => [k, normalized(v)]));
  }
  const v = value as AttributeValue;
  if ('N' in v) return { N: canonicalizeNumber(v.N) };
  if ('B' in v) return { B: Buffer.from(v.B).toString('base64') };
  if ('SS' in v) return { SS: [...v.SS].sort() };
  if ('NS' in v) return { NS: v.NS.map((n) => canonicalizeNumber(n)).sort() };
  if ('BS' in v) return { BS: v.BS.map((b) => Buffer.from(b).toString('base64')).sort() };
  if ('L' in v) return { L: v.L.map((e) => normalized(e)) };
  if ('M' in v) return { M: normalized(v.M) };
  return v;
}
