/**
 * True for the error DynamoDB answers a read or write with when the table's KMS key is unusable
 * (disabled, pending deletion, deleted, or DynamoDB lost access): a `ValidationException` (HTTP
 * 400) whose message carries KMS's error ("KMS key disabled error: …DisabledException…", "KMS
 * validation error: …KMSInvalidStateException…"), or an `AccessDeniedException` "KMS key access
 * denied error: …". There is no dedicated exception type, so the message is the only signal.
 */
export function isTableKeyInaccessibleError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name !== 'ValidationException' && error.name !== 'AccessDeniedException') return false;
  return /^KMS (key disabled|key access denied|validation|internal) error/.test(error.message);
}
