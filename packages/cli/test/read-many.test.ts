// `scan` and `query` print page by page: memory holds a page, not the table. Checked
// structurally (no timing, no memory sampling): when the CLI asks for a page, every item of the
// pages before it is already written. And the streamed text is what one `jsonText` of the whole
// result prints. Runs `main` in this process, with pages of 20 items forced by the local front.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BatchWriteItemCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretKey, type Item } from 'ddbec';
import { formatSecretKeyFile, loadConfig } from 'ddbec/config';
import { jsonResponse, type FrontHandler } from '../../local/src/index.js';
import { main } from '../src/cli.js';
import { jsonText } from '../src/items.js';
import { baseEnv, startStack, type Stack } from './support.js';

const dir = mkdtempSync(join(tmpdir(), 'ddbec-read-many-'));
const configPath = join(dir, 'ddbec.config.json');
const PAGE = 20;
const ITEMS = 95;
let stack: Stack;
/** The standard output of the command running now, and how many items it held at each Scan or Query request. */
let output = '';
let itemsAtRequest: number[] = [];
const itemsWritten = (): number => output.split('\n    {').length - 1;

const smallPages: FrontHandler = async (request, context) => {
  itemsAtRequest.push(itemsWritten());
  const reply = await context.call(request.operation, { ...(request.json() as object), Limit: PAGE });
  return jsonResponse(reply.status, reply.body);
};

beforeAll(async () => {
  stack = await startStack({ Scan: smallPages, Query: smallPages });
  writeFileSync(join(dir, 'aes.key'), formatSecretKeyFile(SecretKey.generate('AES', 256)));
  writeFileSync(join(dir, 'hmac.key'), formatSecretKeyFile(SecretKey.generate('HmacSHA256', 256)));
  const provider = { type: 'static', encryptionKey: { file: 'aes.key' }, signingKey: { file: 'hmac.key' } };
  writeFileSync(configPath, JSON.stringify({ tables: { stream: { partitionKey: 'pk', sortKey: 'n', provider }, empty: { partitionKey: 'pk', provider } } }));
  await stack.createTable('stream', 'pk', 'n');
  await stack.createTable('empty', 'pk');
  const table = (await loadConfig(configPath)).table('stream');
  const plain = (n: number): Item => ({ pk: { S: 'p' }, n: { N: String(n) }, secret: { S: `secret ${n}` }, data: { B: new Uint8Array([n & 255]) } });
  const stored = await Promise.all(Array.from({ length: ITEMS }, (_, n) => table.encryptor.encryptItem(plain(n), table)));
  for (let i = 0; i < stored.length; i += 25) {
    await stack.ddb.send(new BatchWriteItemCommand({ RequestItems: { stream: stored.slice(i, i + 25).map((item) => ({ PutRequest: { Item: item } })) } }));
  }
}, 30_000);

afterAll(async () => {
  await stack.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function run(args: readonly string[]): Promise<{ code: number; text: string; requests: number[] }> {
  output = '';
  itemsAtRequest = [];
  const io = { stdout: { write: (text: string) => ((output += text), true) }, stderr: { write: () => true }, env: baseEnv({ ...stack.env, DDBEC_CONFIG: configPath }) };
  const code = await main(args, io);
  return { code, text: output, requests: itemsAtRequest };
}

describe('scan and query print page by page', () => {
  it('writes every page before reading the next, in the shape one jsonText of the result prints', async () => {
    for (const args of [
      ['scan', '--table', 'stream', '--json'],
      ['query', '--table', 'stream', '--key', '{"pk": "p"}', '--json'],
      ['scan', '--table', 'stream', '--plain', '--threads', '0'],
    ]) {
      const { code, text, requests } = await run(args);
      expect(code, args.join(' ')).toBe(0);
      expect(requests, args.join(' ')).toEqual([0, 20, 40, 60, 80]);
      const parsed = JSON.parse(text) as { Items: unknown[]; Count: number; ScannedCount: number; Failures: unknown[] };
      expect(parsed).toMatchObject({ Count: ITEMS, ScannedCount: ITEMS, Failures: [] });
      expect(parsed.Items).toHaveLength(ITEMS);
      expect(text).toBe(`${jsonText(parsed)}\n`);
    }
  });

  it('stops at --limit within a page, and prints an empty result as before', async () => {
    const limited = await run(['scan', '--table', 'stream', '--json', '--limit', '30']);
    expect(limited.requests).toEqual([0, 20]);
    const parsed = JSON.parse(limited.text) as { Items: unknown[]; Count: number; ScannedCount: number };
    expect(parsed).toMatchObject({ Count: 30, ScannedCount: 40 });
    expect(limited.text).toBe(`${jsonText(parsed)}\n`);
    const empty = await run(['scan', '--table', 'empty', '--json']);
    expect(empty.text).toBe(`${jsonText({ Items: [], Count: 0, ScannedCount: 0, Failures: [] })}\n`);
  });

  it('prints items as text page by page too', async () => {
    const { code, text, requests } = await run(['scan', '--table', 'stream', '--limit', '25']);
    expect(code).toBe(0);
    expect(requests).toEqual([0, expect.any(Number) as unknown]);
    expect(text.split('\n\n')).toHaveLength(25);
    expect(text.endsWith('25 items\n')).toBe(true);
  });
});
