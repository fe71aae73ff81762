export { AttributeActions, type AttributeActionsInit } from './attribute-actions.js';
export { ItemEncryptor, type CryptoConfig, type ItemEncryptorOptions, type SigningProfile } from './item-encryptor.js';
