/** Where a command writes; tests pass their own. */
export interface Io {
  readonly stdout: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  readonly stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  /** Standard input, for `-` and `@-` arguments (default: the process's). */
  readonly stdin?: NodeJS.ReadableStream;
  /** Environment variables (default: the process's). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** False when `--no-color` was given. */
  readonly color?: boolean;
}

/** A mistake in the command line: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** An operation that failed in an expected way (item not found, conflicts left, …): its message, exit code 1. */
export class CommandFailed extends Error {
  override readonly name = 'CommandFailed';
}

/** 130 and 141: 128 + the signal number, as a shell reports a process killed by SIGINT or SIGPIPE. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130, brokenPipe: 141 } as const;

/** Prints one line. */
export function line(stream: { write(text: string): unknown }, text = ''): void {
  stream.write(`${text}\n`);
}

/**
 * Writes text and, when the stream's buffer is full (`write` returned false), waits until it
 * drains, so that a slow reader holds back the producer instead of the output piling up in
 * memory. A stream without `drain` events (a test's) never waits.
 */
export async function write(stream: Io['stdout'], text: string): Promise<void> {
  if (stream.write(text) !== false) return;
  const events = stream as { once?: (event: string, listener: () => void) => unknown; off?: (event: string, listener: () => void) => unknown };
  if (typeof events.once !== 'function') return;
  // A reader that goes away may close the stream without an error (a socket's other end): the
  // output can't drain then, and the command ends as on EPIPE.
  await new Promise<void>((resolve, reject) => {
    const drained = (): void => {
      events.off?.call(stream, 'close', closed);
      resolve();
    };
    const closed = (): void => {
      events.off?.call(stream, 'drain', drained);
      reject(new BrokenPipe());
    };
    events.once?.call(stream, 'drain', drained);
    events.once?.call(stream, 'close', closed);
  });
}

/** Standard output was closed before the command could write all of it (`ddbec scan … | head -1`): exit 141, quietly. */
export class BrokenPipe extends Error {
  override readonly name = 'BrokenPipe';
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

/** Whether to colour what goes to `stream`: a terminal, unless `--no-color`, `NO_COLOR` (any value but empty) or `TERM=dumb`. */
export function colorFor(io: Io, stream: { isTTY?: boolean }): boolean {
  const env = envOf(io);
  return io.color !== false && stream.isTTY === true && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb';
}

/** The width to lay text out in: the terminal's, else 80. */
export function widthOf(stream: { isTTY?: boolean; columns?: number }): number {
  return stream.isTTY === true && stream.columns !== undefined && stream.columns > 0 ? stream.columns : 80;
}
