export { decryptObject, encryptObject, exactNumbers, type NativeItem, type NativeOptions } from './native.js';
