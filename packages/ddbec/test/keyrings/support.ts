import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export const kmsClientFor = (endpoint: string, region = 'us-east-1'): KMSClient => new KMSClient({ endpoint, region, credentials });
export const ddbClientFor = (endpoint: string): DynamoDBClient => new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });

/** A new symmetric key of the local KMS; its ARN. */
export async function newKmsKey(client: KMSClient, options: { multiRegion?: boolean } = {}): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ MultiRegion: options.multiRegion }));
  if (KeyMetadata?.Arn === undefined) throw new Error('the local KMS returned no key ARN');
  return KeyMetadata.Arn;
}
