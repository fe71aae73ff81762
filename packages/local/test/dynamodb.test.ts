import { CreateTableCommand, DynamoDBClient, GetItemCommand, PutItemCommand, waitUntilTableExists } from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startLocalDynamoDB } from '../src/index.js';

const client = (endpoint: string): DynamoDBClient =>
  new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

describe('startLocalDynamoDB', () => {
  it('serves the real SDK in memory and keeps data on disk across a restart', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'ddbec-dynalite-'));
    try {
      let db = await startLocalDynamoDB({ dataDir });
      let ddb = client(db.endpoint);
      await ddb.send(
        new CreateTableCommand({
          TableName: 'things',
          AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
      await waitUntilTableExists({ client: ddb, maxWaitTime: 30, minDelay: 0.02, maxDelay: 0.2 }, { TableName: 'things' });
      await ddb.send(new PutItemCommand({ TableName: 'things', Item: { pk: { S: 'a' }, v: { N: '1' } } }));
      ddb.destroy();
      await db.stop();
      db = await startLocalDynamoDB({ dataDir });
      ddb = client(db.endpoint);
      const { Item } = await ddb.send(new GetItemCommand({ TableName: 'things', Key: { pk: { S: 'a' } } }));
      expect(Item).toEqual({ pk: { S: 'a' }, v: { N: '1' } });
      ddb.destroy();
      await db.stop();
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
