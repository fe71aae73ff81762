export { AttributeActions, type AttributeActionsInit } from './attribute-actions.js';
export { ItemEncryptor, type CryptoConfig, type ItemEncryptorOptions } from './item-encryptor.js';
