import { readFile } from 'node:fs/promises';
import { marshall } from '@aws-sdk/util-dynamodb';
import type { AttributeValue, Item } from 'ddbec';
import { canonicalizeNumber } from 'ddbec/format';
import { UsageError, type Io } from './io.js';

/**
 * Items on the command line and in files: DynamoDB JSON (`{"pk": {"S": "a"}}`, binary as
 * base64, numbers as strings — what the AWS CLI prints) or plain JSON (`{"pk": "a"}`).
 */
export type ItemFormat = 'auto' | 'dynamodb' | 'plain';

const TYPES = new Set(['S', 'N', 'B', 'SS', 'NS', 'BS', 'M', 'L', 'NULL', 'BOOL']);

/** The text of an argument: inline, `@file`, or `-` / `@-` for standard input. */
export async function argumentText(value: string, io: Io, what: string): Promise<string> {
  if (value === '-' || value === '@-') return readStream(io.stdin ?? process.stdin);
  if (value.startsWith('@')) {
    try {
      return await readFile(value.slice(1), 'utf8');
    } catch (error) {
      throw new UsageError(`${what}: cannot read ${value.slice(1)} (${(error as NodeJS.ErrnoException).code ?? String(error)})`);
    }
  }
  return value;
}

async function readStream(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses JSON text, naming the option on failure. */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${what}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** An item (or key) from parsed JSON in either format. */
export function toItem(value: unknown, what: string, format: ItemFormat = 'auto'): Item {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${what}: must be a JSON object`);
  const record = value as Record<string, unknown>;
  const dynamo = format === 'dynamodb' || (format === 'auto' && looksLikeDynamoJson(record));
  if (dynamo) {
    const item: Item = {};
    for (const [name, attribute] of Object.entries(record)) item[name] = fromDynamoJson(attribute, `${what}.${name}`);
    return item;
  }
  try {
    return marshall(record, { removeUndefinedValues: true, convertTopLevelContainer: false });
  } catch (error) {
    throw new UsageError(`${what}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** True when every attribute is a one-member object whose member is a DynamoDB type. */
export function looksLikeDynamoJson(record: Record<string, unknown>): boolean {
  const values = Object.values(record);
  return (
    values.length > 0 &&
    values.every((value) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
      const keys = Object.keys(value);
      return keys.length === 1 && TYPES.has(keys[0] as string);
    })
  );
}

/** One DynamoDB JSON value → an SDK attribute value (binary from base64). */
export function fromDynamoJson(value: unknown, what: string): AttributeValue {
  const fail = (message: string): never => {
    throw new UsageError(`${what}: ${message}`);
  };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail('must be a DynamoDB JSON value like {"S": "text"}');
  const entries = Object.entries(value as Record<string, unknown>);
  const [type, body] = entries[0] ?? [];
  if (entries.length !== 1 || type === undefined || !TYPES.has(type)) return fail('must have exactly one of S, N, B, SS, NS, BS, M, L, NULL, BOOL');
  const strings = (): string[] => {
    if (!Array.isArray(body) || !body.every((s) => typeof s === 'string')) return fail(`${type} must be an array of strings`);
    return body;
  };
  switch (type) {
    case 'S':
      return typeof body === 'string' ? { S: body } : fail('S must be a string');
    case 'N':
      return typeof body === 'string' || typeof body === 'number' ? { N: String(body) } : fail('N must be a number string');
    case 'B':
      return typeof body === 'string' ? { B: base64(body, what) } : fail('B must be base64 text');
    case 'SS':
      return { SS: strings() };
    case 'NS':
      return { NS: strings() };
    case 'BS':
      return { BS: strings().map((text) => base64(text, what)) };
    case 'BOOL':
      return typeof body === 'boolean' ? { BOOL: body } : fail('BOOL must be true or false');
    case 'NULL':
      return body === true ? { NULL: true } : fail('NULL must be true');
    case 'L':
      if (!Array.isArray(body)) return fail('L must be an array');
      return { L: body.map((element, index) => fromDynamoJson(element, `${what}[${index}]`)) };
    default: {
      if (typeof body !== 'object' || body === null || Array.isArray(body)) return fail('M must be an object');
      const map: Record<string, AttributeValue> = {};
      for (const [name, member] of Object.entries(body)) map[name] = fromDynamoJson(member, `${what}.${name}`);
      return { M: map };
    }
  }
}

function base64(text: string, what: string): Uint8Array {
  if (!/^[A-Za-z0-9+/\s]*={0,2}\s*$/.test(text)) throw new UsageError(`${what}: binary values must be base64`);
  return new Uint8Array(Buffer.from(text, 'base64'));
}

/** An SDK item → DynamoDB JSON (binary as base64), as the AWS CLI prints it. */
export function toDynamoJson(item: Item): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) out[name] = valueToJson(value);
  return out;
}

export function valueToJson(value: AttributeValue): unknown {
  if ('B' in value) return { B: Buffer.from(value.B).toString('base64') };
  if ('BS' in value) return { BS: value.BS.map((b) => Buffer.from(b).toString('base64')) };
  if ('M' in value) return { M: toDynamoJson(value.M) };
  if ('L' in value) return { L: value.L.map(valueToJson) };
  return value;
}

/** A JSON number given as its exact text (plain JSON keeps every digit of a DynamoDB number). */
class JsonNumber {
  constructor(readonly text: string) {}
}

/**
 * An item as plain JSON (what {@link jsonText} prints): native values instead of DynamoDB JSON
 * (`{"n": 1.5}` for `{"n": {"N": "1.5"}}`), binary as base64, sets as arrays; numbers keep all
 * their digits.
 */
export function plainItem(item: Item): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(item)) out[name] = plainValue(value);
  return out;
}

/** `JSON.stringify(value, null, 2)`, except that numbers of {@link plainItem} keep their exact text. */
export function jsonText(value: unknown, indent = ''): string {
  if (value instanceof JsonNumber) return value.text;
  if (typeof value !== 'object' || value === null) return JSON.stringify(value);
  const inner = `${indent}  `;
  const parts = Array.isArray(value)
    ? value.map((member) => jsonText(member, inner))
    : Object.entries(value)
        .filter(([, member]) => member !== undefined)
        .map(([name, member]) => `${JSON.stringify(name)}: ${jsonText(member, inner)}`);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return parts.length === 0 ? `${open}${close}` : `${open}\n${parts.map((part) => `${inner}${part}`).join(',\n')}\n${indent}${close}`;
}

function plainValue(value: AttributeValue): unknown {
  if ('S' in value) return value.S;
  if ('N' in value) return plainNumber(value.N);
  if ('B' in value) return Buffer.from(value.B).toString('base64');
  if ('SS' in value) return [...value.SS];
  if ('NS' in value) return value.NS.map(plainNumber);
  if ('BS' in value) return value.BS.map((b) => Buffer.from(b).toString('base64'));
  if ('BOOL' in value) return value.BOOL;
  if ('M' in value) return plainItem(value.M);
  if ('L' in value) return value.L.map(plainValue);
  return null;
}

function plainNumber(text: string): JsonNumber | string {
  try {
    return new JsonNumber(canonicalizeNumber(text));
  } catch {
    return text;
  }
}

/** A short human rendering of one attribute value: `S  "text"`, `B  3q2+7w== (48 bytes)`. */
export function showValue(value: AttributeValue, width = 44): string {
  if ('B' in value) {
    const text = Buffer.from(value.B).toString('base64');
    return `B  ${text.length > width ? `${text.slice(0, width)}…` : text} (${value.B.length} bytes)`;
  }
  const [type, body] = Object.entries(value as Record<string, unknown>)[0] ?? ['?', undefined];
  const json = JSON.stringify('M' in value || 'L' in value ? Object.values(valueToJson(value) as object)[0] : body);
  return `${type.padEnd(2)} ${json.length > 120 ? `${json.slice(0, 120)}…` : json}`;
}

/** Attribute type letters of a value (`S`, `N`, `B`, `SS`, …). */
export function typeOf(value: AttributeValue): string {
  return Object.keys(value)[0] ?? '?';
}

/** An item for people: one attribute per line, names sorted. */
export function itemLines(item: Item, indent = ''): string[] {
  const names = Object.keys(item).sort();
  const width = Math.min(28, Math.max(8, ...names.map((name) => name.length)));
  return names.map((name) => `${indent}${name.padEnd(width)}  ${showValue(item[name] as AttributeValue)}`);
}
