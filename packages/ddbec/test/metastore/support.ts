import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** A DynamoDB client for a local endpoint that counts the commands it sends. */
export function countingClient(endpoint: string): { client: DynamoDBClient; counts: Map<string, number> } {
  const client = new DynamoDBClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  const counts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => (args) => {
      const name = String(context.commandName);
      counts.set(name, (counts.get(name) ?? 0) + 1);
      return next(args);
    },
    { step: 'initialize', name: 'ddbecTestCountCommands' },
  );
  return { client, counts };
}

/** Runs `before` for the named command before it is sent, `after` once it returned. */
export function hookCommand(client: DynamoDBClient, commandName: string, hooks: { before?: () => Promise<void>; after?: () => void }): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName !== commandName) return next(args);
      await hooks.before?.();
      const result = await next(args);
      hooks.after?.();
      return result;
    },
    { step: 'initialize', name: `ddbecTestHook${commandName}` },
  );
}
