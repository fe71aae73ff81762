import { CreateTableCommand, DynamoDBClient, type SSESpecification } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient, type CreateKeyCommandInput } from '@aws-sdk/client-kms';
import { startLocalDynamoDB, startLocalKms, type LocalDynamoDB, type LocalDynamoDBOptions, type LocalKms } from '../../../local/src/index.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

/** A local KMS and a local DynamoDB attached to it, with SDK clients. */
export interface Stack {
  readonly kms: LocalKms;
  readonly db: LocalDynamoDB;
  readonly dynamodb: DynamoDBClient;
  readonly kmsClient: KMSClient;
  /** `{ dynamodb, kms }` for the at-rest functions. */
  readonly clients: { dynamodb: DynamoDBClient; kms: KMSClient };
  stop(): Promise<void>;
}

export async function startStack(options: Omit<LocalDynamoDBOptions, 'kms'> = {}): Promise<Stack> {
  const kms = await startLocalKms();
  const db = await startLocalDynamoDB({ ...options, kms });
  const dynamodb = new DynamoDBClient({ endpoint: db.endpoint, region: kms.region, credentials, maxAttempts: 1 });
  const kmsClient = new KMSClient({ endpoint: kms.endpoint, region: kms.region, credentials, maxAttempts: 1 });
  return {
    kms,
    db,
    dynamodb,
    kmsClient,
    clients: { dynamodb, kms: kmsClient },
    stop: async () => {
      dynamodb.destroy();
      kmsClient.destroy();
      await db.stop();
      await kms.stop();
    },
  };
}

export async function createTable(stack: Stack, name: string, sse?: SSESpecification): Promise<string> {
  await stack.dynamodb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      ...(sse === undefined ? {} : { SSESpecification: sse }),
    }),
  );
  return name;
}

export async function createKey(stack: Stack, input: CreateKeyCommandInput = {}): Promise<{ id: string; arn: string }> {
  const { KeyMetadata } = await stack.kmsClient.send(new CreateKeyCommand({ Description: 'table key', ...input }));
  return { id: KeyMetadata?.KeyId ?? '', arn: KeyMetadata?.Arn ?? '' };
}

export const DAY = 86_400_000;
