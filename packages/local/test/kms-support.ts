import { expect } from 'vitest';

/** The call fails with the AWS exception `name` and HTTP 400 (like AWS KMS client errors). */
export async function expectKmsError(call: Promise<unknown>, name: string): Promise<Error> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `expected ${name}`).toBeInstanceOf(Error);
  expect(error).toMatchObject({ name, $metadata: { httpStatusCode: 400 } });
  return error as Error;
}
