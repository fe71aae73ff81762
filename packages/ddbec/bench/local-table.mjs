// A table of the local DynamoDB filled with `count` encrypted items, for the end-to-end CLI
// benches (scan-cli.mjs, reencrypt-cli.mjs): keys pk = `<name>#<i>`, sk = `x`.
import { BatchWriteItemCommand, CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { settleBounded } from '../dist/esm/sdk/concurrency.js';

/** Creates table `name` and writes `make(0 … count − 1)`, encrypted under `tableConfig` (a legacy table of `loadConfig`). */
export async function fillTable(ddb, name, count, make, tableConfig) {
  await ddb.send(
    new CreateTableCommand({
      TableName: name,
      AttributeDefinitions: [
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ],
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  for (let start = 0; start < count; start += 25) {
    const plain = Array.from({ length: Math.min(25, count - start) }, (_, i) => ({ ...make(start + i), pk: { S: `${name}#${start + i}` }, sk: { S: 'x' } }));
    const stored = (await settleBounded(plain, 16, (item) => tableConfig.encryptor.encryptItem(item, tableConfig))).map((result) => result.value);
    await ddb.send(new BatchWriteItemCommand({ RequestItems: { [name]: stored.map((Item) => ({ PutRequest: { Item } })) } }));
  }
}
