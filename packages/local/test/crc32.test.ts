// The x-amz-crc32 header of the local DynamoDB: DynamoDB's checksum of the exact body bytes,
// which botocore checks (a mismatch makes it retry a call that already succeeded). The front
// rewrites bodies (SSEDescription for tables encrypted with a KMS key); the header must follow.
import { request } from 'node:http';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from '../src/crc32.js';
import { startLocalDynamoDB, startLocalKms, type LocalDynamoDB, type LocalKms } from '../src/index.js';

let kms: LocalKms;
let db: LocalDynamoDB;
let kmsClient: KMSClient;

beforeAll(async () => {
  kms = await startLocalKms();
  db = await startLocalDynamoDB({ kms });
  kmsClient = new KMSClient({ endpoint: kms.endpoint, region: kms.region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  kmsClient.destroy();
  await db.stop();
  await kms.stop();
});

interface Reply {
  readonly status: number;
  readonly checksum: string | undefined;
  readonly body: Buffer;
  readonly json: Record<string, unknown>;
}

/** One DynamoDB call as raw HTTP, to see the body bytes and headers as a client receives them. */
function call(operation: string, input: unknown): Promise<Reply> {
  const body = Buffer.from(JSON.stringify(input));
  const date = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+/, '');
  const url = new URL(db.endpoint);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        method: 'POST',
        path: '/',
        headers: {
          'content-type': 'application/x-amz-json-1.0',
          'x-amz-target': `DynamoDB_20120810.${operation}`,
          'x-amz-date': date,
          authorization: `AWS4-HMAC-SHA256 Credential=local/${date.slice(0, 8)}/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const bytes = Buffer.concat(chunks);
          const header = res.headers['x-amz-crc32'];
          resolve({ status: res.statusCode ?? 0, checksum: typeof header === 'string' ? header : undefined, body: bytes, json: JSON.parse(bytes.toString()) as Record<string, unknown> });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** What botocore does with every DynamoDB answer. */
function expectChecksum(reply: Reply, what: string): void {
  expect(reply.checksum, `${what}: x-amz-crc32`).toBe(String(zlibCrc32(reply.body)));
}

async function newKey(): Promise<string> {
  const { KeyMetadata } = await kmsClient.send(new CreateKeyCommand({}));
  return KeyMetadata?.Arn ?? '';
}

describe('x-amz-crc32', () => {
  it('is the CRC-32 zlib computes', () => {
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => crc32(bytes) === zlibCrc32(bytes)),
      { numRuns: 300 },
    );
  });

  it('matches the body of CreateTable, DescribeTable, UpdateTable and DeleteTable on a table encrypted with a KMS key', async () => {
    const [first, second] = await Promise.all([newKey(), newKey()]);
    const TableName = `crc-${Date.now().toString(36)}`;
    const created = await call('CreateTable', {
      TableName,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: first },
    });
    expect(created.status).toBe(200);
    expect(created.json['TableDescription']).toHaveProperty('SSEDescription');
    expectChecksum(created, 'CreateTable');

    const active = async (): Promise<Reply> => {
      for (;;) {
        const reply = await call('DescribeTable', { TableName });
        if ((reply.json['Table'] as { TableStatus?: string }).TableStatus === 'ACTIVE') return reply;
      }
    };
    const described = await active();
    expect(described.json['Table']).toMatchObject({ SSEDescription: { KMSMasterKeyArn: first } });
    expectChecksum(described, 'DescribeTable');

    const updated = await call('UpdateTable', { TableName, SSESpecification: { Enabled: true, SSEType: 'KMS', KMSMasterKeyId: second } });
    expect(updated.status).toBe(200);
    expect(updated.json['TableDescription']).toHaveProperty('SSEDescription');
    expectChecksum(updated, 'UpdateTable');
    expect((await active()).json['Table']).toMatchObject({ SSEDescription: { KMSMasterKeyArn: second } });

    const deleted = await call('DeleteTable', { TableName });
    expect(deleted.status).toBe(200);
    expect(deleted.json['TableDescription']).toHaveProperty('SSEDescription');
    expectChecksum(deleted, 'DeleteTable');

    const missing = await call('DescribeTable', { TableName });
    expect(missing.status).toBe(400);
    expectChecksum(missing, 'an error');
  });
});
