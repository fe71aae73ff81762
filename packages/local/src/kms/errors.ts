/**
 * A KMS service error. The server turns it into an AWS JSON 1.1 error response:
 * HTTP `status` (400 for every client error, as AWS KMS does) and the body
 * `{"__type": code, "message": message}`, from which the AWS SDK builds an
 * exception whose `name` is `code`.
 */
export class KmsError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
    this.name = code;
  }
}

export const validation = (message: string): KmsError => new KmsError('ValidationException', message);

export const serialization = (message: string): KmsError => new KmsError('SerializationException', message);

export const notFound = (message: string): KmsError => new KmsError('NotFoundException', message);

export const unsupported = (message: string): KmsError => new KmsError('UnsupportedOperationException', message);

export const invalidCiphertext = (): KmsError =>
  // AWS says nothing more specific; neither do we (a wrong context and a tampered blob look alike).
  new KmsError(
    'InvalidCiphertextException',
    'The ciphertext is not valid for this KMS: it was altered, was produced under another key, or the encryption context differs.',
  );

export const incorrectKey = (): KmsError =>
  new KmsError('IncorrectKeyException', 'The KMS key named in the request did not encrypt this ciphertext.');

export const accessDenied = (action: string, keyArn: string): KmsError =>
  new KmsError(
    'AccessDeniedException',
    `kms:${action} is not allowed on ${keyArn}: it is an AWS managed key, which only AWS may manage.`,
  );
