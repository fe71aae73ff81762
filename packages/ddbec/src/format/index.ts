/**
 * The item format of the legacy DynamoDB Encryption Client (legacy-format §2–§4): attribute
 * serialization, number canonicalization, the material description attribute and the string to
 * sign; and DynamoDB's own checks of a plaintext item. Pure functions: no crypto (SHA-256 is
 * injected), no AWS SDK.
 */
export { CryptoAction, MATERIAL_DESCRIPTION_ATTRIBUTE, SIGNATURE_ATTRIBUTE } from './actions.js';
export type { AttributeValue, Item, SerializationProfile } from './attribute-value.js';
export { fromBase64, toBase64 } from './base64.js';
export { compareStrings } from './compare.js';
export { deserializeAttribute } from './deserialize.js';
export { decodeMaterialDescription, encodeMaterialDescription } from './material-description.js';
export type { MaterialDescription } from './material-description.js';
export { MAX_NUMBER_EXPONENT, canonicalizeNumber, significantDigits } from './number.js';
export { hasPythonRoundedNumber, roundAsPythonSigns, serializationDifference, sortsDifferently } from './profiles.js';
export { MAX_NESTING_DEPTH, serializeAttribute } from './serialize.js';
export { stringToSign } from './string-to-sign.js';
export type { StringToSignInput } from './string-to-sign.js';
export { validateItem } from './validate.js';
export type { KeyAttributeNames } from './validate.js';
