/**
 * `ddbec/pkcs11`: keys that never leave a PKCS#11 token (AWS CloudHSM, SoftHSM2, …), as
 * delegated keys for the static, wrapped and MetaStore providers and the DB-ESDK raw AES and
 * raw RSA keyrings. Needs the optional peer dependency `pkcs11js` (a native addon, built with
 * node-gyp on install).
 */
export { Pkcs11Token, type Pkcs11GenerateOptions, type Pkcs11KeyInfo, type Pkcs11KeyRef, type Pkcs11TokenOptions } from './token.js';
export { Pkcs11AesKey, Pkcs11HmacKey, Pkcs11RsaPrivateKey, type Pkcs11Usage } from './keys.js';
