// ddbec reads the item members of Query/Scan/BatchGetItem/GetItem responses itself
// (src/sdk/response-items.ts): the outputs must be exactly the SDK's, and anything unusual must
// go through the SDK's own path.
import { BatchGetItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import fc from 'fast-check';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalDynamoDB } from '../../../local/src/index.js';
import { AttributeActions, CryptoAction, type Item } from '../../src/index.js';
import { EncryptedDynamoDBClient, type EncryptionConfig } from '../../src/sdk/index.js';
import { ITEMS_PARSE_MIDDLEWARE, responseItems } from '../../src/sdk/response-items.js';
import { itemArb } from '../support/arbitraries.js';
import { customer, encryptionConfig, plainClient, skOf, startDatabase, staticProvider } from './helpers.js';

// ---- JSON text with every spelling DynamoDB (or a proxy) might use ------------------------------
type Json = { t: 'str'; v: string } | { t: 'num'; text: string } | { t: 'lit'; text: 'true' | 'false' | 'null' } | { t: 'arr'; items: Json[] } | { t: 'obj'; entries: [string, Json][] };

const str = (v: string): Json => ({ t: 'str', v });
const obj = (entries: [string, Json][]): Json => ({ t: 'obj', entries });

/** How strings are written: as JSON.stringify does, non-ASCII as \u escapes, or every code unit as a \u escape. */
type Spelling = 0 | 1 | 2;

function quote(text: string, spelling: Spelling): string {
  if (spelling === 0) return JSON.stringify(text);
  let out = '"';
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    const plain = JSON.stringify(text[i]).slice(1, -1);
    out += spelling === 2 || unit > 0x7e ? `\\u${unit.toString(16).padStart(4, '0')}` : plain;
  }
  return `${out}"`;
}

function render(value: Json, spelling: Spelling): string {
  switch (value.t) {
    case 'str':
      return quote(value.v, spelling);
    case 'num':
    case 'lit':
      return value.text;
    case 'arr':
      return `[${value.items.map((item) => render(item, spelling)).join(',')}]`;
    case 'obj':
      return `{${value.entries.map(([k, v]) => `${quote(k, spelling)}:${render(v, spelling)}`).join(',')}}`;
  }
}

/** The Json of a parsed JSON value (numbers written as JavaScript writes them). */
function toJson(value: unknown): Json {
  if (typeof value === 'string') return str(value);
  if (typeof value === 'number') return { t: 'num', text: String(value) };
  if (typeof value === 'boolean' || value === null) return { t: 'lit', text: String(value) as 'true' | 'false' | 'null' };
  if (Array.isArray(value)) return { t: 'arr', items: value.map(toJson) };
  return obj(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, toJson(v)]));
}

// ---- arbitraries ---------------------------------------------------------------------------------
const unitArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'Z', '0', ' ', '"', '\\', '/', '\n', '\u0000', 'é', '€', '\u{1F600}', '\uFEFF') },
  { weight: 1, arbitrary: fc.integer({ min: 0, max: 0xffff }).map((unit) => String.fromCharCode(unit)) },
);
/** Any string: every BMP code unit (lone surrogates included), astral characters as pairs. */
const textArb = fc.string({ unit: unitArb, maxLength: 10 });
const nameArb = fc.oneof({ weight: 5, arbitrary: textArb }, { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '', '0', '12') });
/** JSON number text; unless `clean`, also what does not survive JSON.parse then JSON.stringify (-0, out of range). */
const numberArb = (clean: boolean): fc.Arbitrary<Json> =>
  fc
    .oneof(
      fc.integer().map(String),
      fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
      fc.constantFrom('0', '1E-400', '5e-324', '12345678901234567890123', '0.1000000000000000055511151231257827', '1.0', '2.50E+3'),
      ...(clean ? [] : [fc.constantFrom('-0', '-0.0', '1e400', '-1e400', '-1E-400')]),
    )
    .map((text) => ({ t: 'num', text }));
const bytesArb = fc.uint8Array({ maxLength: 40 });

/** Base64 the SDK accepts (canonical) or that only a careful reader tells apart. */
const base64Arb = (clean: boolean): fc.Arbitrary<string> => {
  const canonical = bytesArb.map((bytes) => Buffer.from(bytes).toString('base64'));
  if (clean) return canonical;
  return fc.oneof(
    { weight: 3, arbitrary: canonical },
    { weight: 1, arbitrary: canonical.map((text) => text.replace(/=+$/, '')) }, // unpadded: the SDK refuses
    { weight: 1, arbitrary: bytesArb.filter((b) => b.length % 3 !== 0).map((b) => Buffer.from(b).toString('base64').replace(/[AQgw]==$|[AEIMQUYcgkosw048]=$/, (end) => (end.length === 3 ? 'B==' : 'B='))) }, // unused bits set: the SDK accepts
    { weight: 1, arbitrary: canonical.map((text) => text.replace(/\+/g, '-').replace(/\//g, '_')) }, // base64url
    { weight: 1, arbitrary: canonical.map((text) => `${text}\n`) },
  );
};

/** Attribute values in DynamoDB JSON; with `clean: false`, also what no DynamoDB sends. */
function valueArb(clean: boolean): fc.Arbitrary<Json> {
  const text = textArb.map(str);
  const scalars: fc.Arbitrary<Json>[] = [
    text.map((v) => obj([['S', v]])),
    fc.oneof(numberArb(false).map((n) => (n.t === 'num' ? n.text : '0')), textArb).map((n) => obj([['N', str(n)]])),
    base64Arb(clean).map((b) => obj([['B', str(b)]])),
    fc.boolean().map((b) => obj([['BOOL', { t: 'lit', text: String(b) as 'true' | 'false' }]])),
    fc.constant(obj([['NULL', { t: 'lit', text: 'true' }]])),
    fc.array(text, { maxLength: 4 }).map((items) => obj([['SS', { t: 'arr', items }]])),
    fc.array(fc.integer().map((n) => str(String(n))), { maxLength: 4 }).map((items) => obj([['NS', { t: 'arr', items }]])),
    fc.array(base64Arb(clean).map(str), { maxLength: 4 }).map((items) => obj([['BS', { t: 'arr', items }]])),
  ];
  const odd: fc.Arbitrary<Json>[] = clean
    ? []
    : [
        fc.constantFrom<Json>(
          obj([]),
          obj([['NULL', { t: 'lit', text: 'false' }]]),
          obj([['S', { t: 'num', text: '1' }]]),
          obj([['BOOL', str('true')]]),
          obj([
            ['S', str('a')],
            ['N', str('1')],
          ]),
          { t: 'lit', text: 'null' },
          { t: 'arr', items: [] },
          str('S'),
        ),
        fc.tuple(fc.constantFrom('X', 'NEW', '$unknown', 's'), textArb).map(([member, v]) => obj([[member, str(v)]])),
      ];
  return fc.letrec<{ value: Json }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', maxDepth: 4, withCrossShrink: true },
      ...scalars,
      ...odd,
      fc.array(tie('value'), { maxLength: 4 }).map((items) => obj([['L', { t: 'arr', items }]])),
      fc.array(fc.tuple(nameArb, tie('value')), { maxLength: 4 }).map((entries) => obj([['M', obj(entries)]])),
    ),
  })).value;
}

const itemJsonArb = (clean: boolean): fc.Arbitrary<Json> => fc.array(fc.tuple(nameArb, valueArb(clean)), { maxLength: 5 }).map(obj);
const itemsJsonArb = (clean: boolean): fc.Arbitrary<Json> => fc.array(itemJsonArb(clean), { maxLength: 5 }).map((items) => ({ t: 'arr', items }));
const capacityArb = (clean: boolean): fc.Arbitrary<Json> =>
  fc.record({ table: textArb, units: numberArb(clean) }).map(({ table, units }) => obj([['TableName', str(table)], ['CapacityUnits', units], ['Table', obj([['ReadCapacityUnits', units]])]]));

type Operation = 'Scan' | 'Query' | 'BatchGetItem' | 'GetItem';

/** Written verbatim in place of the item lists and the item of a body (see `bodyArb`). */
const LIST_MARK = '"@items@"';
const ITEM_MARK = '"@item@"';

/**
 * Members of a response body for `operation`, in random order, odd ones too when not `clean`;
 * with `marks`, the item lists and GetItem's item are `LIST_MARK` and `ITEM_MARK`.
 */
function bodyArb(operation: Operation, clean: boolean, marks = false): fc.Arbitrary<string> {
  const items = marks ? fc.constant<Json>({ t: 'num', text: LIST_MARK }) : itemsJsonArb(clean);
  const numbers = numberArb(clean);
  const capacity = capacityArb(clean).map((c): Json => (operation === 'BatchGetItem' ? { t: 'arr', items: [c] } : c));
  const others: fc.Arbitrary<[string, Json]>[] = [numbers.map((n) => ['Count', n]), capacity.map((c) => ['ConsumedCapacity', c])];
  let itemMember: fc.Arbitrary<[string, Json]>;
  switch (operation) {
    case 'Scan':
    case 'Query':
      itemMember = items.map((list) => ['Items', list]);
      others.push(numbers.map((n) => ['ScannedCount', n]), itemJsonArb(clean).map((key) => ['LastEvaluatedKey', key]));
      break;
    case 'BatchGetItem':
      itemMember = fc.array(fc.tuple(fc.oneof(fc.constant('plain'), fc.constant('enc'), nameArb), items), { maxLength: 3 }).map((tables) => ['Responses', obj(tables)]);
      others.push(itemJsonArb(clean).map((key) => ['UnprocessedKeys', obj([['plain', obj([['Keys', { t: 'arr', items: [key] }]])]])]));
      break;
    case 'GetItem':
      itemMember = (marks ? fc.constant<Json>({ t: 'num', text: ITEM_MARK }) : clean ? itemJsonArb(true) : fc.oneof(itemJsonArb(false), valueArb(false))).map((item) => ['Item', item]);
      break;
  }
  if (!clean) others.push(fc.constantFrom<[string, Json]>(['__type', str('com.amazonaws.dynamodb#Whatever')], ['Items', { t: 'lit', text: 'null' }], ['Item', { t: 'lit', text: 'null' }], ['Unknown', obj([['x', str('y')]])]));
  // a clean body always has its item member
  const item = clean ? itemMember.map((member) => [member]) : fc.option(itemMember, { nil: undefined }).map((member) => (member === undefined ? [] : [member]));
  return fc
    .tuple(fc.shuffledSubarray(others).chain((chosen) => fc.tuple(...chosen)), item, fc.nat(), fc.constantFrom<Spelling>(0, 0, 1, 2), fc.constantFrom('', ' ', '\n  '))
    .map(([rest, member, at, spelling, space]) => {
      const entries = [...rest];
      entries.splice(at % (entries.length + 1), 0, ...member);
      return space + render(obj(entries), spelling) + space;
    });
}

// ---- clients over one canned HTTP handler -------------------------------------------------------
const UTF8 = new TextEncoder();
const ACTIONS = new AttributeActions({ defaultAction: CryptoAction.EncryptAndSign, attributeActions: { note: CryptoAction.DoNothing } });
const CONFIG: EncryptionConfig = {
  tables: { enc: { materialsProvider: staticProvider, attributeActions: ACTIONS, keySchema: { partitionKey: 'pk', sortKey: 'sk' } } },
  plaintextTables: ['plain'],
};

const DESCRIBE = JSON.stringify({
  Table: {
    TableName: 'enc',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
  },
});

type Next = (args: unknown) => Promise<{ response: { body: unknown }; output: unknown }>;

/** Adds a middleware that records the body the SDK's deserializer is given (the path taken) into `seen`; a stream as `(not read)`. */
function spyOnBodies(stack: DynamoDBClient['middlewareStack'], seen: string[]): void {
  stack.addRelativeTo(
    ((next: Next) => async (args: unknown) => {
      const result = await next(args);
      const body = result.response.body;
      seen.push(body instanceof Uint8Array ? Buffer.from(body).toString('utf8') : '(not read)');
      return result;
    }) as never,
    { name: 'TestSeenBody', relation: 'before', toMiddleware: ITEMS_PARSE_MIDDLEWARE },
  );
}

/**
 * A plain client answering every request with `reply.body` (status `reply.status`); over it,
 * `parsing`: a plain client with ddbec's parser wired as the encrypting client wires it (for
 * every request); `encrypted`: an encrypting client; `sdkOnly`: the same without `ItemsParse`.
 * `seen` and `seenPlain` get the bodies the SDK's deserializer is given in `encrypted` and `parsing`.
 */
function clients() {
  const reply = { status: 200, body: '{}', requests: [] as string[], stream: undefined as (() => unknown) | undefined };
  const canned = (): DynamoDBClient =>
    new DynamoDBClient({
      region: 'us-east-1',
      endpoint: 'http://canned.invalid',
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
      requestHandler: {
        handle: (request: { headers: Record<string, string>; body?: unknown }) => {
          const describe = String(request.headers['x-amz-target']).endsWith('.DescribeTable');
          if (!describe) reply.requests.push(new TextDecoder().decode(request.body as Uint8Array));
          const body = describe ? DESCRIBE : reply.body;
          return Promise.resolve({ response: { statusCode: describe ? 200 : reply.status, headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amzn-requestid': 'R1' }, body: describe || reply.stream === undefined ? UTF8.encode(body) : reply.stream() } });
        },
      },
    });
  const plain = canned();
  const encrypted = EncryptedDynamoDBClient.from(plain, CONFIG);
  const sdkOnly = EncryptedDynamoDBClient.from(plain, CONFIG);
  sdkOnly.middlewareStack.remove(ITEMS_PARSE_MIDDLEWARE);
  const seen: string[] = [];
  spyOnBodies(encrypted.middlewareStack, seen);

  const parsing = canned();
  const items = responseItems(
    parsing.config,
    () => true,
    (context) => String((context as { commandName?: string }).commandName).replace(/Command$/, ''),
  );
  parsing.middlewareStack.addRelativeTo(items.middleware as never, { name: ITEMS_PARSE_MIDDLEWARE, relation: 'after', toMiddleware: 'deserializerMiddleware' });
  parsing.middlewareStack.addRelativeTo(
    ((next: Next, context: object) => async (args: unknown) => {
      const result = await next(args);
      return { ...result, output: items.restore(context, result.output) };
    }) as never,
    { name: 'TestRestore', relation: 'before', toMiddleware: 'deserializerMiddleware' },
  );
  const seenPlain: string[] = [];
  spyOnBodies(parsing.middlewareStack, seenPlain);
  return { reply, plain, parsing, encrypted, sdkOnly, seen, seenPlain };
}

/** Sends a request of `operation` for `table` (`enc` or `plain`). */
function send(client: DynamoDBClient, operation: Operation, table: string): Promise<unknown> {
  const key: Item = table === 'enc' ? { pk: { S: 'k' }, sk: { N: '1' } } : { id: { S: 'k' } };
  switch (operation) {
    case 'Scan':
      return client.send(new ScanCommand({ TableName: table }));
    case 'Query':
      return client.send(new QueryCommand({ TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'k' } } }));
    case 'BatchGetItem':
      return client.send(new BatchGetItemCommand({ RequestItems: { [table]: { Keys: [key] } } }));
    case 'GetItem':
      return client.send(new GetItemCommand({ TableName: table, Key: key }));
  }
}

/** The output, or the error's class and message. */
async function outcome(promise: Promise<unknown>): Promise<unknown> {
  try {
    return { output: await promise };
  } catch (error) {
    return { error: (error as Error).name, message: (error as Error).message };
  }
}

/**
 * Where `actual` and `expected` differ (a path), or `undefined`: same prototypes, same own keys
 * in the same order with the same enumerability, same typed-array classes and bytes, primitives
 * by `Object.is`. (Stricter than `toStrictEqual`, which also cannot compare objects that have a
 * member named `constructor`: it compares their `constructor` properties by identity.)
 */
function difference(actual: unknown, expected: unknown, path = '$'): string | undefined {
  if (typeof actual !== 'object' || actual === null || typeof expected !== 'object' || expected === null) {
    return Object.is(actual, expected) ? undefined : `${path}: ${String(actual)} ≠ ${String(expected)}`;
  }
  if (Object.getPrototypeOf(actual) !== Object.getPrototypeOf(expected)) return `${path}: different prototypes`;
  if (ArrayBuffer.isView(actual)) {
    return Buffer.compare(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength), Buffer.from((expected as Uint8Array).buffer, (expected as Uint8Array).byteOffset, (expected as Uint8Array).byteLength)) === 0 ? undefined : `${path}: different bytes`;
  }
  const keys = Reflect.ownKeys(actual);
  const expectedKeys = Reflect.ownKeys(expected);
  if (keys.length !== expectedKeys.length || keys.some((key, i) => key !== expectedKeys[i])) return `${path}: keys ${keys.map(String).join()} ≠ ${expectedKeys.map(String).join()}`;
  for (const key of keys) {
    const a = Object.getOwnPropertyDescriptor(actual, key) as PropertyDescriptor;
    const b = Object.getOwnPropertyDescriptor(expected, key) as PropertyDescriptor;
    if (a.enumerable !== b.enumerable) return `${path}.${String(key)}: enumerability`;
    const found = difference(a.value, b.value, `${path}.${String(key)}`);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Whether the SDK's deserializer was given a body without the items (the fast path). */
const fast = (seen: string, body: string): boolean => seen !== body;

const OPERATIONS: readonly Operation[] = ['Scan', 'Query', 'BatchGetItem', 'GetItem'];

describe('ddbec reads the items of responses itself, with the same outputs as the SDK', () => {
  it('the parser gives exactly the plain DynamoDBClient\'s output, for any body', async () => {
    const { reply, plain, parsing, seenPlain: seen } = clients();
    let taken = 0;
    let runs = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...OPERATIONS).chain((operation) => fc.tuple(fc.constant(operation), fc.boolean().chain((clean) => bodyArb(operation, clean)))),
        async ([operation, body]) => {
          reply.body = body;
          const expected = await outcome(send(plain, operation, 'plain'));
          seen.length = 0;
          const actual = await outcome(send(parsing, operation, 'plain'));
          expect(difference(actual, expected)).toBeUndefined();
          runs += 1;
          if (seen.length === 1 && fast(seen[0] as string, body)) taken += 1;
        },
      ),
      { numRuns: 400 },
    );
    // The property must exercise the fast path, not only the fallback (about half the runs take it).
    expect(taken).toBeGreaterThan(runs / 5);
  });

  it('legacy-encrypted table: items decrypt exactly as through the SDK\'s deserializer', async () => {
    const { reply, encrypted, sdkOnly, seen } = clients();
    // The stored form of plaintext items, as the encrypting client writes them.
    const store = async (item: Item): Promise<unknown> => {
      reply.body = '{}';
      reply.requests.length = 0;
      await encrypted.send(new PutItemCommand({ TableName: 'enc', Item: item }));
      return (JSON.parse(reply.requests[0] as string) as { Item: unknown }).Item;
    };
    const plaintextArb = fc.array(
      fc.tuple(itemArb, fc.string({ minLength: 1, maxLength: 8 }), fc.integer({ min: 0, max: 1000 })).map(([item, pk, sk]): Item => ({ ...item, pk: { S: pk }, sk: { N: String(sk) } })),
      { maxLength: 4 },
    );
    let taken = 0;
    let decrypted = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...OPERATIONS).chain((operation) => fc.tuple(fc.constant(operation), fc.boolean().chain((clean) => bodyArb(operation, clean, true)))),
        plaintextArb,
        fc.constantFrom<Spelling>(0, 1, 2),
        async ([operation, body], plaintexts, spelling) => {
        const stored = (await Promise.all(plaintexts.map(store))).map(toJson);
        reply.body = body.replace(LIST_MARK, () => render({ t: 'arr', items: stored }, spelling)).replace(ITEM_MARK, () => render(stored[0] ?? obj([]), spelling));
        const expected = await outcome(send(sdkOnly, operation, 'enc'));
        seen.length = 0;
        const actual = await outcome(send(encrypted, operation, 'enc'));
        expect(difference(actual, expected)).toBeUndefined();
        if (seen.length === 1 && fast(seen[0] as string, reply.body)) taken += 1;
        if (plaintexts.length > 0 && 'output' in (actual as object)) decrypted += 1;
      },
      ),
      { numRuns: 120 },
    );
    // about two thirds of the runs take the fast path, and half decrypt items
    expect(taken).toBeGreaterThan(30);
    expect(decrypted).toBeGreaterThan(20);
  });
});

describe('the fast path, and when it is not taken', () => {
  const page = async (reply: { body: string; requests: string[] }, encrypted: EncryptedDynamoDBClient, items: Item[]): Promise<string[]> => {
    const stored: string[] = [];
    for (const Item of items) {
      reply.body = '{}';
      reply.requests.length = 0;
      await encrypted.send(new PutItemCommand({ TableName: 'enc', Item }));
      stored.push(JSON.stringify((JSON.parse(reply.requests[0] as string) as { Item: unknown }).Item));
    }
    return stored;
  };
  const ITEMS: Item[] = [
    { pk: { S: 'a' }, sk: { N: '1' }, data: { B: new Uint8Array([1, 2, 3]) }, list: { L: [{ S: 'x' }, { NULL: true }, { M: { __proto__: { BS: [new Uint8Array([9])] } } }] } },
    { pk: { S: 'a' }, sk: { N: '2' }, note: { S: 'plain note' }, tags: { SS: ['a', 'b'] } },
  ];

  it('a Scan of encrypted items is read by ddbec (the SDK deserializes the rest), and decrypts as before', async () => {
    const { reply, encrypted, sdkOnly, seen } = clients();
    const stored = await page(reply, encrypted, ITEMS);
    reply.body = `{"Count":2,"Items":[${stored.join(',')}],"ScannedCount":7,"LastEvaluatedKey":{"pk":{"S":"a"},"sk":{"N":"2"}}}`;
    seen.length = 0;
    const output = await encrypted.send(new ScanCommand({ TableName: 'enc' }));
    // the SDK's deserializer was given the body without the items
    expect(seen).toEqual(['{"Count":2,"Items":[],"ScannedCount":7,"LastEvaluatedKey":{"pk":{"S":"a"},"sk":{"N":"2"}}}']);
    expect(output.Items).toEqual(ITEMS);
    expect(difference(output, await sdkOnly.send(new ScanCommand({ TableName: 'enc' })))).toBeUndefined();
  });

  it('a tampered item is still refused', async () => {
    const { reply, encrypted, sdkOnly, seen } = clients();
    const [first, second] = await page(reply, encrypted, ITEMS);
    const data = (JSON.parse(first as string) as { data: { B: string } }).data.B;
    const flipped = Buffer.from(data, 'base64');
    flipped.writeUInt8(flipped.readUInt8(0) ^ 1, 0);
    reply.body = `{"Items":[${(first as string).replace(data, flipped.toString('base64'))},${second as string}]}`;
    seen.length = 0;
    await expect(encrypted.send(new ScanCommand({ TableName: 'enc' }))).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
    expect(seen).toEqual(['{"Items":[]}']);
    await expect(sdkOnly.send(new ScanCommand({ TableName: 'enc' }))).rejects.toMatchObject({ code: 'ERR_SIGNATURE_INVALID' });
  });

  it('a body with an attribute value ddbec does not know goes through the SDK whole, and still works', async () => {
    const { reply, encrypted, sdkOnly, seen } = clients();
    const [, second] = await page(reply, encrypted, ITEMS);
    // `note` is DoNothing: a value of a type DynamoDB may add one day passes through
    const odd = (second as string).replace('"note":{"S":"plain note"}', '"note":{"VECTOR":[1,2]}');
    expect(odd).not.toBe(second);
    reply.body = `{"Items":[${odd}],"Count":1}`;
    seen.length = 0;
    const output = await encrypted.send(new ScanCommand({ TableName: 'enc' }));
    expect(seen).toEqual([reply.body]);
    expect(output.Items).toEqual([{ ...ITEMS[1], note: { VECTOR: [1, 2] } }]);
    expect(difference(output, await sdkOnly.send(new ScanCommand({ TableName: 'enc' })))).toBeUndefined();
  });

  it('an error response goes through the SDK whole', async () => {
    const { reply, encrypted, seen } = clients();
    reply.status = 400;
    reply.body = '{"__type":"com.amazonaws.dynamodb.v20120810#ResourceNotFoundException","message":"Requested resource not found","Items":[]}';
    seen.length = 0;
    await expect(encrypted.send(new ScanCommand({ TableName: 'enc' }))).rejects.toMatchObject({ name: 'ResourceNotFoundException', message: 'Requested resource not found' });
    expect(seen).toEqual([reply.body]);
  });

  it('a body that fails to arrive fails as it does in the SDK', async () => {
    const { reply, encrypted, sdkOnly } = clients();
    reply.stream = () =>
      new Readable({
        read() {
          this.push('{"Items":[');
          this.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
        },
      });
    const failure = async (client: DynamoDBClient): Promise<unknown> => {
      const error = await client.send(new ScanCommand({ TableName: 'enc' })).then(
        () => expect.fail('the Scan should fail'),
        (e: unknown) => e as Record<string, unknown>,
      );
      return { name: error['name'], message: error['message'], code: error['code'], $metadata: error['$metadata'] };
    };
    expect(difference(await failure(encrypted), await failure(sdkOnly))).toBeUndefined();
  });

  it('plaintext tables are not touched', async () => {
    const { reply, encrypted, seen } = clients();
    reply.body = '{"Items":[{"id":{"S":"x"}}],"Count":1}';
    seen.length = 0;
    await encrypted.send(new ScanCommand({ TableName: 'plain' }));
    expect(seen).toEqual([reply.body]);
  });
});

/** BatchGetItem's `Responses`, each table's items sorted by key. */
function sortedResponses(responses: unknown): unknown {
  const key = (item: Item): string => JSON.stringify([item['pk'], item['sk'], item['id']]);
  return Object.fromEntries(Object.entries(responses as Record<string, Item[]>).map(([table, items]) => [table, [...items].sort((a, b) => key(a).localeCompare(key(b)))]));
}

describe('through the real SDK against the local DynamoDB', () => {
  let db: LocalDynamoDB;
  let base: DynamoDBClient;
  beforeAll(async () => {
    db = await startDatabase();
    base = plainClient(db.endpoint);
  });
  afterAll(async () => {
    base.destroy();
    await db.stop();
  });

  it('Query, Scan, BatchGetItem and GetItem of encrypted tables read the same items, by ddbec', async () => {
    const encrypted = EncryptedDynamoDBClient.from(base, encryptionConfig());
    const sdkOnly = EncryptedDynamoDBClient.from(base, encryptionConfig());
    sdkOnly.middlewareStack.remove(ITEMS_PARSE_MIDDLEWARE);
    const seen: string[] = [];
    spyOnBodies(encrypted.middlewareStack, seen);
    const customers = [1, 2, 3, 4, 5].map((sk) => customer('c1', sk, { odd: { M: { __proto__: { L: [{ BS: [new Uint8Array([sk]), new Uint8Array([])] }] }, '': { S: 'ü\u{1F600}"\\' } } } }));
    const orders = [{ id: { S: 'o1' }, state: { S: 'open' }, total: { N: '12.5' } }];
    for (const Item of customers) await encrypted.send(new PutItemCommand({ TableName: 'customers', Item }));
    for (const Item of orders) await encrypted.send(new PutItemCommand({ TableName: 'orders', Item }));

    const reads: [string, 'Items' | 'Responses' | 'Item', (client: DynamoDBClient) => Promise<object>][] = [
      ['Query', 'Items', (client) => client.send(new QueryCommand({ TableName: 'customers', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'c1' } }, ReturnConsumedCapacity: 'TOTAL' }))],
      ['Query page', 'Items', (client) => client.send(new QueryCommand({ TableName: 'customers', KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': { S: 'c1' } }, Limit: 2 }))],
      ['Scan', 'Items', (client) => client.send(new ScanCommand({ TableName: 'customers' }))],
      ['BatchGetItem', 'Responses', (client) => client.send(new BatchGetItemCommand({ RequestItems: { customers: { Keys: [{ pk: { S: 'c1' }, sk: { N: '2' } }, { pk: { S: 'c1' }, sk: { N: '4' } }] }, orders: { Keys: [{ id: { S: 'o1' } }] } } }))],
      ['GetItem', 'Item', (client) => client.send(new GetItemCommand({ TableName: 'customers', Key: { pk: { S: 'c1' }, sk: { N: '3' } } }))],
    ];
    for (const [name, member, read] of reads) {
      seen.length = 0;
      const output = (await read(encrypted)) as Record<string, unknown>;
      const expected = (await read(sdkOnly)) as Record<string, unknown>;
      // requestId differs per request; BatchGetItem returns items in any order
      const comparable = (o: Record<string, unknown>): Record<string, unknown> => ({ ...o, $metadata: undefined, ...(name === 'BatchGetItem' ? { Responses: sortedResponses(o['Responses']) } : {}) });
      expect(difference(comparable(output), comparable(expected)), name).toBeUndefined();
      expect(seen.length, name).toBe(1);
      // the SDK's deserializer was given the body without the items
      expect((JSON.parse(seen[0] as string) as Record<string, unknown>)[member], name).toEqual(member === 'Items' ? [] : {});
      expect(output[member], name).not.toEqual(member === 'Items' ? [] : {});
    }
    const scan = await encrypted.send(new ScanCommand({ TableName: 'customers' }));
    expect([...(scan.Items ?? [])].sort((a, b) => skOf(a as Item) - skOf(b as Item))).toEqual(customers);
    const batch = await encrypted.send(new BatchGetItemCommand({ RequestItems: { orders: { Keys: [{ id: { S: 'o1' } }] } } }));
    expect(batch.Responses).toEqual({ orders });
  });
});
