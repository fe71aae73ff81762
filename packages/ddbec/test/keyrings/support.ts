import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CreateKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { isDdbecError } from '../../src/index.js';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

export const kmsClientFor = (endpoint: string, region = 'us-east-1'): KMSClient => new KMSClient({ endpoint, region, credentials });
export const ddbClientFor = (endpoint: string): DynamoDBClient => new DynamoDBClient({ endpoint, region: 'us-east-1', credentials });

/** A new symmetric key of the local KMS; its ARN. */
export async function newKmsKey(client: KMSClient, options: { multiRegion?: boolean } = {}): Promise<string> {
  const { KeyMetadata } = await client.send(new CreateKeyCommand({ MultiRegion: options.multiRegion }));
  if (KeyMetadata?.Arn === undefined) throw new Error('the local KMS returned no key ARN');
  return KeyMetadata.Arn;
}

/** The ddbec error code a promise rejects with, `resolved`, or the error text for other errors. */
export async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'resolved',
    (error: unknown) => (isDdbecError(error) ? error.code : String(error)),
  );
}
