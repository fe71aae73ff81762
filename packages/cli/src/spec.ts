import { UsageError, type Io } from './io.js';

/** One `--option` of a command. */
export interface OptionSpec {
  readonly type: 'string' | 'boolean';
  readonly short?: string;
  /** Placeholder for the value in the reference (`FILE`, `N`). */
  readonly value?: string;
  readonly description: string;
}

export type OptionGroup = 'aws' | 'config' | 'json';

export type Values = Readonly<Record<string, string | boolean | undefined>>;

export interface ParsedArgs {
  readonly values: Values;
  readonly positionals: readonly string[];
}

/**
 * A command as the dispatcher, `ddbec help` and the reference in docs/cli.md see it. `run`
 * only turns the parsed command line into the options object of the command's plain async
 * function.
 */
export interface CommandSpec {
  /** `demo`, `keys generate`, `local up`, … */
  readonly name: string;
  readonly summary: string;
  /** Positional arguments in the synopsis (`<scenarios.json>`). */
  readonly args?: string;
  /** How many positionals are accepted: [min, max]. Default none. */
  readonly positionals?: readonly [number, number];
  readonly options?: Readonly<Record<string, OptionSpec>>;
  readonly groups?: readonly OptionGroup[];
  /** Longer explanation for the reference, one paragraph per entry. */
  readonly details?: readonly string[];
  readonly examples?: readonly string[];
  run(args: ParsedArgs, io: Io): Promise<number>;
}

export const GROUPS: Readonly<Record<OptionGroup, Readonly<Record<string, OptionSpec>>>> = {
  config: {
    config: { type: 'string', value: 'FILE', description: 'configuration file (default: $DDBEC_CONFIG, else ./ddbec.config.json)' },
    table: { type: 'string', value: 'NAME', description: 'table entry of the configuration (or its DynamoDB table name)' },
  },
  aws: {
    'endpoint-url': { type: 'string', value: 'URL', description: 'DynamoDB endpoint (default: $AWS_ENDPOINT_URL_DYNAMODB, else AWS)' },
    'kms-endpoint-url': { type: 'string', value: 'URL', description: 'KMS endpoint (default: $AWS_ENDPOINT_URL_KMS, else AWS)' },
    region: { type: 'string', value: 'REGION', description: 'AWS region (default: $AWS_REGION, the profile’s, or the configuration’s)' },
    profile: { type: 'string', value: 'NAME', description: 'AWS profile for credentials and region' },
  },
  json: {
    json: { type: 'boolean', description: 'print JSON for machines instead of text for people' },
  },
};

/** Options every command accepts (listed once, in `ddbec help`). */
export const GLOBAL_OPTIONS: Readonly<Record<string, OptionSpec>> = {
  'no-color': { type: 'boolean', description: 'no ANSI colours (also when NO_COLOR is set or TERM=dumb)' },
};

/**
 * Old spellings still accepted, by their current name. The parser fills in both names, so a
 * command reads either.
 */
export const OPTION_ALIASES: Readonly<Record<string, string>> = {
  'kms-endpoint': 'kms-endpoint-url',
};

/** The current name of an option (`kms-endpoint` → `kms-endpoint-url`). */
export function canonicalOption(name: string): string {
  return OPTION_ALIASES[name] ?? name;
}

/** Every option a command accepts: its own, then its groups'. */
export function optionsOf(spec: CommandSpec): Record<string, OptionSpec> {
  const all: Record<string, OptionSpec> = { ...spec.options };
  for (const group of spec.groups ?? []) Object.assign(all, GROUPS[group]);
  return all;
}

// ---- typed access to parsed values -----------------------------------------------------------

export function str(values: Values, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

export function requireStr(values: Values, name: string): string {
  const value = str(values, name);
  if (value === undefined || value === '') throw new UsageError(`--${name} is required`);
  return value;
}

export function flag(values: Values, name: string): boolean {
  return values[name] === true;
}

/** An integer option within bounds (undefined when absent). */
export function int(values: Values, name: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  const text = str(values, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < min || value > max) {
    throw new UsageError(`--${name} must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? '' : ` to ${max}`}`);
  }
  return value;
}

/** A number option ≥ min (undefined when absent). */
export function num(values: Values, name: string, min: number): number | undefined {
  const text = str(values, name);
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || !Number.isFinite(value) || value < min) throw new UsageError(`--${name} must be a number ≥ ${min}`);
  return value;
}

/** The AWS connection options of a parsed command line. */
export function awsOptionsOf(values: Values): {
  endpointUrl: string | undefined;
  kmsEndpointUrl: string | undefined;
  region: string | undefined;
  profile: string | undefined;
} {
  return {
    endpointUrl: str(values, 'endpoint-url'),
    kmsEndpointUrl: str(values, 'kms-endpoint-url'),
    region: str(values, 'region'),
    profile: str(values, 'profile'),
  };
}
