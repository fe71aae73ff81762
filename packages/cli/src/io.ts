/** Where a command writes; tests pass their own. */
export interface Io {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Standard input, for `-` and `@-` arguments (default: the process's). */
  readonly stdin?: NodeJS.ReadableStream;
  /** Environment variables (default: the process's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An operation that failed in an expected way (item not found, conflicts left, …): its message, exit code 1. */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

/** Prints one line. */
export function line(stream: { write(text: string): unknown }, text = ''): void {
  stream.write(`${text}\n`);
}

/** Prints a value as pretty JSON (Uint8Array as base64). */
export function printJson(io: Io, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value, jsonReplacer, 2)}\n`);
}

function jsonReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (typeof value === 'bigint') return value.toString();
  return value;
}

export function envOf(io: Io): Readonly<Record<string, string | undefined>> {
  return io.env ?? process.env;
}
