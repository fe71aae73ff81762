// Errors crossing a worker thread's boundary (`scan --threads`, `reencrypt --threads`): an Error
// loses its class, code and name on the way, so a worker sends a description and the calling
// thread revives it as the CLI would have reported the original.
import { DdbecError, isDdbecError, type DdbecErrorCode } from 'ddbec';
import { connectionProblem, kmsAtAwsProblem } from './aws.js';
import { CommandFailed } from './io.js';

/** An error as a worker sends it. */
export interface ErrorDescription {
  /** What the CLI would say of a failed connection or a KMS called at AWS by mistake. */
  readonly problem: string | undefined;
  readonly code: DdbecErrorCode | undefined;
  readonly name: string;
  readonly message: string;
  /** An AWS service error (the CLI prints its name). */
  readonly service: boolean;
}

export function describeError(error: unknown): ErrorDescription {
  const problem = connectionProblem(error) ?? kmsAtAwsProblem(error);
  const known = error instanceof Error ? error : new Error(String(error));
  return {
    problem,
    code: isDdbecError(known) ? known.code : undefined,
    name: known.name,
    message: known.message,
    service: typeof (known as { $metadata?: unknown }).$metadata === 'object',
  };
}

/** The error a description stands for, as the CLI reports it. */
export function reviveError(description: ErrorDescription): Error {
  if (description.problem !== undefined) return new CommandFailed(description.problem);
  if (description.code !== undefined) return new DdbecError(description.code, description.message);
  const error = new Error(description.message);
  error.name = description.name;
  if (description.service) Object.assign(error, { $metadata: {} });
  return error;
}
