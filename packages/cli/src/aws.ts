import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { UsageError } from './io.js';

/** The AWS CLI's connection options (`--endpoint-url`, `--region`, `--profile`) plus the KMS endpoint. */
export interface AwsOptions {
  /** DynamoDB endpoint; else `AWS_ENDPOINT_URL_DYNAMODB`, else `AWS_ENDPOINT_URL`. */
  readonly endpointUrl?: string | undefined;
  /** KMS endpoint; else `AWS_ENDPOINT_URL_KMS`, else `AWS_ENDPOINT_URL`. */
  readonly kmsEndpointUrl?: string | undefined;
  readonly region?: string | undefined;
  readonly profile?: string | undefined;
}

export interface AwsClients {
  readonly dynamodb: DynamoDBClient;
  /** The KMS client of a region (undefined: the default region). */
  kms(region?: string): KMSClient;
  readonly dynamodbEndpoint: string | undefined;
  readonly kmsEndpoint: string | undefined;
  destroy(): void;
}

/** Credentials for a local endpoint when none are configured (the local stack checks none). */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_REGION = 'us-east-1';

/**
 * SDK clients as the AWS CLI would make them. Against a loopback endpoint with no credentials
 * or region configured, dummy credentials and `us-east-1` are used so the local stack works
 * out of the box; against AWS the SDK's usual chain (environment, profile, SSO, …) applies.
 */
export function awsClients(options: AwsOptions, env: Readonly<Record<string, string | undefined>>, configRegion?: string): AwsClients {
  const dynamodbEndpoint = endpoint(options.endpointUrl ?? env['AWS_ENDPOINT_URL_DYNAMODB'] ?? env['AWS_ENDPOINT_URL'], '--endpoint-url');
  const kmsEndpoint = endpoint(options.kmsEndpointUrl ?? env['AWS_ENDPOINT_URL_KMS'] ?? env['AWS_ENDPOINT_URL'], '--kms-endpoint-url');
  const profile = options.profile;
  checkProfile(profile, env);
  // DynamoDB on the local stack but KMS at AWS is almost always a forgotten KMS endpoint.
  const kmsAtAws = dynamodbEndpoint !== undefined && isLoopback(dynamodbEndpoint) && kmsEndpoint === undefined ? dynamodbEndpoint : undefined;
  const configured = options.region ?? env['AWS_REGION'] ?? env['AWS_DEFAULT_REGION'] ?? configRegion;
  const hasCredentials = profile !== undefined || env['AWS_ACCESS_KEY_ID'] !== undefined || env['AWS_PROFILE'] !== undefined;
  const common = (url: string | undefined, region: string | undefined): Record<string, unknown> => {
    const local = url !== undefined && isLoopback(url);
    const effectiveRegion = region ?? configured ?? (local ? LOCAL_REGION : undefined);
    return {
      ...(url === undefined ? {} : { endpoint: url }),
      ...(effectiveRegion === undefined ? {} : { region: effectiveRegion }),
      ...(profile === undefined ? {} : { profile }),
      ...(local && !hasCredentials ? { credentials: LOCAL_CREDENTIALS } : {}),
    };
  };
  const dynamodb = new DynamoDBClient(common(dynamodbEndpoint, undefined));
  const kmsClients = new Map<string, KMSClient>();
  return {
    dynamodb,
    dynamodbEndpoint,
    kmsEndpoint,
    kms(region?: string): KMSClient {
      const key = region ?? '';
      let client = kmsClients.get(key);
      if (client === undefined) {
        client = new KMSClient(common(kmsEndpoint, region));
        if (kmsAtAws !== undefined) explainFailures(client, kmsAtAws);
        kmsClients.set(key, client);
      }
      return client;
    },
    destroy(): void {
      dynamodb.destroy();
      for (const client of kmsClients.values()) client.destroy();
    },
  };
}

/** Refuses a named AWS profile (`--profile`, else `AWS_PROFILE`) that neither shared file defines. */
function checkProfile(option: string | undefined, env: Readonly<Record<string, string | undefined>>): void {
  const name = option ?? env['AWS_PROFILE'];
  if (name === undefined || name === '') return;
  const home = env['HOME'] ?? homedir();
  const files = [env['AWS_CONFIG_FILE'] ?? join(home, '.aws', 'config'), env['AWS_SHARED_CREDENTIALS_FILE'] ?? join(home, '.aws', 'credentials')];
  const defined = files.some((file) => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return false;
    }
    return text.split(/\r?\n/).some((line) => {
      const section = /^\s*\[\s*(?:profile\s+)?([^\]]+?)\s*\]/.exec(line)?.[1];
      return section === name;
    });
  });
  if (!defined) throw new UsageError(`AWS profile "${name}"${option === undefined ? ' (from AWS_PROFILE)' : ''} is not defined in ${files.join(' or ')}`);
}

/** Failures of KMS clients that point at AWS while DynamoDB is local, with the explanation to give. */
const kmsAtAwsFailures = new WeakMap<object, string>();

function explainFailures(client: KMSClient, dynamodbEndpoint: string): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        if (typeof error === 'object' && error !== null) {
          kmsAtAwsFailures.set(
            error,
            `the KMS client is pointed at AWS, not at the local stack: DynamoDB is ${dynamodbEndpoint} but no KMS endpoint is set (pass --kms-endpoint-url or set AWS_ENDPOINT_URL_KMS; \`ddbec local up\` prints it)`,
          );
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'ddbecKmsAtAws' },
  );
}

/** For an error caused by a KMS call made at AWS while DynamoDB is local: what is wrong, and what KMS said. */
export function kmsAtAwsProblem(error: unknown): string | undefined {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 10; depth += 1) {
    const explanation = kmsAtAwsFailures.get(current);
    if (explanation !== undefined) {
      const said = current instanceof Error ? `${current.name}: ${current.message}` : JSON.stringify(current);
      return `${explanation}; KMS said: ${said.length > 160 ? `${said.slice(0, 160)}…` : said}`;
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function endpoint(url: string | undefined, option: string): string | undefined {
  if (url === undefined || url === '') return undefined;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new UsageError(`${option}: "${url}" is not an http(s) URL`);
  }
  return url;
}

export function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === '127.0.0.1' || host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);

/** A one-line explanation when an error (or its cause) is a failed connection; else undefined. */
export function connectionProblem(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length > 0) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const { code, address, port, hostname, name } = current as { code?: unknown; address?: unknown; port?: unknown; hostname?: unknown; name?: unknown };
    if (typeof code === 'string' && NETWORK_CODES.has(code)) {
      const where = typeof address === 'string' ? `${address}${typeof port === 'number' ? `:${port}` : ''}` : typeof hostname === 'string' ? hostname : 'the endpoint';
      return `cannot connect to ${where} (${code}): check --endpoint-url / --kms-endpoint-url, or start the local stack with \`ddbec local up\``;
    }
    if (name === 'TimeoutError') return 'the request timed out: check the endpoint and your network';
    if (name === 'CredentialsProviderError') return `no AWS credentials: ${(current as Error).message} (use --profile, AWS_PROFILE or AWS_ACCESS_KEY_ID)`;
    if (current instanceof Error && /Region is missing/.test(current.message)) return 'no AWS region: pass --region or set AWS_REGION';
    queue.push((current as { cause?: unknown }).cause);
    if (current instanceof AggregateError) queue.push(...(current.errors as unknown[]));
  }
  return undefined;
}
