import { DdbecError } from '../errors.js';
import { CryptoAction } from '../format/index.js';
import { ormHint } from './orm-hints.js';

/**
 * `ERR_SIGNED_ATTRIBUTE_UPDATE` for an update expression that would change signed attributes:
 * names every one of them and every way out.
 */
export function signedAttributeUpdate(
  where: string,
  member: string,
  refused: readonly { readonly attribute: string; readonly action: CryptoAction }[],
  request: Readonly<Record<string, unknown>>,
): DdbecError {
  const list = refused.map(({ attribute, action }) => `"${attribute}" (${action === CryptoAction.EncryptAndSign ? 'encrypted and signed' : 'signed'})`);
  return new DdbecError(
    'ERR_SIGNED_ATTRIBUTE_UPDATE',
    `${where}: ${member} changes ${list.join(', ')}; changing ${refused.length === 1 ? 'it' : 'them'} in place would break the item's signature (only do-nothing attributes can be updated in place, and sign-only ones written with the value they have). Either write the whole item (PutItem, or your ORM's put/create), or change it with readModifyWrite() from ddbec/sdk, which reads, verifies, changes and signs it again; an attribute that needs no protection can be made DoNothing instead, but it is then unauthenticated. Nothing was sent.${ormHint(request)}`,
  );
}

/** `ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION` naming every encrypted attribute an expression compares. */
export function encryptedAttributeInExpression(where: string, member: string, attributes: readonly string[], request: Readonly<Record<string, unknown>>): DdbecError {
  const unique = [...new Set(attributes)];
  const list = unique.map((attribute) => `"${attribute}"`).join(', ');
  return new DdbecError(
    'ERR_ENCRYPTED_ATTRIBUTE_IN_EXPRESSION',
    `${where}: ${member} uses encrypted attribute${unique.length === 1 ? '' : 's'} ${list}, but DynamoDB only has ${unique.length === 1 ? 'its' : 'their'} ciphertext; expressions may use sign-only and do-nothing attributes (and attribute_exists / attribute_not_exists on any attribute). Make ${unique.length === 1 ? 'it' : 'them'} SignOnly to compare ${unique.length === 1 ? 'it' : 'them'} (stored in plaintext, still signed), or filter the decrypted items yourself. Nothing was sent.${ormHint(request)}`,
  );
}

/** What a failed condition may mean when ddbec guarded sign-only writes of an update. */
export function guardedWritesNote(attributes: readonly string[]): string {
  const list = [...new Set(attributes)].map((attribute) => `"${attribute}"`).join(', ');
  return `the update writes sign-only ${list}, which ddbec lets through only with the value already stored (it added that to the condition; the signature would break otherwise) — if the condition failed because you meant to change ${attributes.length === 1 ? 'it' : 'them'}, use readModifyWrite() from ddbec/sdk or write the whole item`;
}
