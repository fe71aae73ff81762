import { DdbecError, transientFailure, type DdbecErrorCode } from './errors.js';

/** The codes of KMS failures that may go away on their own (after the SDK's retries). */
const TRANSIENT_CODES = { throttled: 'ERR_KMS_THROTTLED', unavailable: 'ERR_KMS_UNAVAILABLE' } as const;

/**
 * Sends one AWS KMS request for ddbec. Throttling and unavailability (after the SDK's retries)
 * become the retryable `ERR_KMS_THROTTLED` / `ERR_KMS_UNAVAILABLE`; every other failure
 * (disabled, wrong or unknown key, invalid ciphertext, access denied…) `permanentCode`. The
 * SDK error is the `cause`.
 */
export async function callKms<T>(
  operation: string,
  keyId: string | undefined,
  permanentCode: DdbecErrorCode,
  send: () => Promise<T>,
): Promise<T> {
  try {
    return await send();
  } catch (error) {
    const failure = transientFailure(error);
    const code = failure ? TRANSIENT_CODES[failure] : permanentCode;
    const { name, $metadata } = error as { name?: unknown; $metadata?: { attempts?: unknown } };
    const message = error instanceof Error ? error.message : String(error);
    const key = keyId === undefined ? '' : ` with key ${keyId}`;
    const attempts = typeof $metadata?.attempts === 'number' && $metadata.attempts > 1 ? ` after ${$metadata.attempts} attempts` : '';
    throw new DdbecError(code, `AWS KMS ${operation}${key} failed${attempts}: ${String(name)}: ${message}`, { cause: error });
  }
}
