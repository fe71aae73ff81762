import { DdbecError, isDdbecError } from '../errors.js';

/**
 * The error of a keyring that decrypted no data key: `ERR_UNWRAPPING_FAILED` listing every
 * attempt's failure (an `AggregateError` of them is the `cause`) — or, when an attempt failed for
 * a reason that may go away (KMS throttled or unreachable), that retryable error's code, so that
 * callers know a retry may succeed.
 */
export function noDataKeyDecrypted(keyring: string, errors: readonly unknown[]): DdbecError {
  const retryable = errors.find((error) => isDdbecError(error) && error.retryable);
  const code = isDdbecError(retryable) ? retryable.code : 'ERR_UNWRAPPING_FAILED';
  const reasons = errors.map((error) => (error instanceof Error ? error.message : String(error)));
  const detail = reasons.length === 0 ? 'no encrypted data key is for it' : reasons.join('; ');
  return new DdbecError(code, `${keyring} could not decrypt a data key (${detail})`, { cause: new AggregateError(errors) });
}
