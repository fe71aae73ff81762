// The floor of one item: the node:crypto work the format itself requires, done as leanly as
// node:crypto allows, with everything that is not crypto (serialization, the string to sign's
// layout, the material description) prepared once outside the measured loop:
// - per encrypted attribute, one AES-CBC pass over its serialized size, padded; one
//   random-bytes call per item for all the IVs;
// - one SHA-256 per signed value (over its stored serialization), one-shot, as a latin1 string;
// - one HMAC-SHA256 (or RSA signature / verification) over the string to sign (32 + 96·n bytes);
// - the provider's own key work: AES key wrap, RSA-OAEP, or the KMS request and the HKDF
//   derivations, for a content key that is fresh per item.
// Two variants of the AES pass: `floor` creates one AES-CBC context per attribute (the plain
// use of node:crypto: a context takes its IV when it is created); `strict` creates one per key
// and starts each attribute with one extra block that sets the chaining (what ddbec does), so
// for the static key it creates none per item. Attribute-name digests are cacheable and left out.
import {
  constants,
  createCipheriv,
  createDecipheriv,
  createHmac,
  hash,
  hkdfSync,
  privateDecrypt,
  publicEncrypt,
  randomFillSync,
  sign,
  verify,
} from 'node:crypto';

const BLOCK = 16;
const WRAP_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const ZERO_IV = Buffer.alloc(BLOCK);

/**
 * `shape`: `{ encrypted: [serialized plaintext size], signed: [stored serialized size of each
 * signed value] }` (sizes of a real encryption of the item, see {@link itemShape}).
 * `provider`: `{ content: 'static' | 'per-item', transport?: 'aes-wrap' | 'rsa-oaep' | 'kms',
 * signature: 'hmac' | 'rsa', keys, kms? }`; `variant`: 'floor' | 'strict' (see above).
 * Returns `{ encrypt(), decrypt() }` (async).
 */
export function floorFor(shape, provider, variant) {
  const { keys } = provider;
  const strict = variant === 'strict';
  const n = shape.encrypted.length;
  const padded = shape.encrypted.map((size) => Buffer.alloc(size + (BLOCK - (size % BLOCK)), 0x41));
  // strict: the extra leading block, into which the IV's random bytes go
  const inputs = padded.map((p) => Buffer.concat([ZERO_IV, p]));
  const ivs = Buffer.alloc(BLOCK * n);
  const ivViews = padded.map((_, i) => ivs.subarray(BLOCK * i, BLOCK * (i + 1)));
  const signedForms = shape.signed.map((size) => Buffer.alloc(size, 0x42));
  const toSign = Buffer.alloc(32 + 96 * shape.signed.length, 0x43);
  const contentKey = Buffer.from(provider.content === 'static' ? keys.aes : keys.content);
  const staticCipher = createCipheriv('aes-256-cbc', contentKey, ZERO_IV).setAutoPadding(false);
  const staticDecipher = createDecipheriv('aes-256-cbc', contentKey, ZERO_IV).setAutoPadding(false);
  const stored = inputs.map((input) => Buffer.from(staticCipher.update(input)));
  const storedIvs = stored.map((c) => c.subarray(0, BLOCK));
  const storedBodies = stored.map((c) => c.subarray(BLOCK));
  const rsaSignature = provider.signature === 'rsa' ? sign('sha256', toSign, keys.rsa.privateKey) : undefined;
  const oaep = { padding: constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' };
  const wrapped =
    provider.transport === 'rsa-oaep'
      ? publicEncrypt({ key: keys.rsa.publicKey, ...oaep }, contentKey)
      : provider.transport === 'aes-wrap'
        ? createCipheriv('id-aes256-wrap', keys.wrapping, WRAP_IV).update(contentKey)
        : undefined;

  const hashSigned = () => {
    for (const form of signedForms) hash('sha256', form, 'latin1'); // the cheapest way to a digest
  };
  const signOrMac = (key) => (provider.signature === 'rsa' ? sign('sha256', toSign, keys.rsa.privateKey) : createHmac('sha256', key).update(toSign).digest());
  const verifyOrMac = (key) =>
    provider.signature === 'rsa' ? verify('sha256', toSign, keys.rsa.publicKey, rsaSignature) : createHmac('sha256', key).update(toSign).digest();
  const derive = (dataKey) => ({
    aes: Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'Encryption', 32)),
    mac: Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), 'Signing', 32)),
  });

  /** The content and MAC keys of one item, after the provider's key transport. */
  async function itemKeys(direction) {
    if (provider.content === 'static') return { aes: contentKey, mac: keys.hmac, fresh: false };
    const fresh = Buffer.alloc(32);
    switch (provider.transport) {
      case 'aes-wrap':
        if (direction === 'encrypt') {
          randomFillSync(fresh);
          createCipheriv('id-aes256-wrap', keys.wrapping, WRAP_IV).update(fresh);
        } else createDecipheriv('id-aes256-wrap', keys.wrapping, WRAP_IV).update(wrapped);
        return { aes: contentKey, mac: keys.hmac, fresh: true };
      case 'rsa-oaep':
        if (direction === 'encrypt') {
          randomFillSync(fresh);
          publicEncrypt({ key: keys.rsa.publicKey, ...oaep }, fresh);
        } else privateDecrypt({ key: keys.rsa.privateKey, ...oaep }, wrapped);
        return { aes: contentKey, mac: undefined, fresh: true };
      case 'kms':
        return { ...derive(direction === 'encrypt' ? await provider.kms.generateDataKey() : await provider.kms.decrypt()), fresh: true };
      default:
        throw new Error(`unknown key transport ${provider.transport}`);
    }
  }

  return {
    async encrypt() {
      const { aes, mac, fresh } = await itemKeys('encrypt');
      randomFillSync(ivs);
      if (strict) {
        const cipher = fresh ? createCipheriv('aes-256-cbc', aes, ZERO_IV).setAutoPadding(false) : staticCipher;
        for (let i = 0; i < n; i++) {
          ivs.copy(inputs[i], 0, BLOCK * i, BLOCK * (i + 1));
          cipher.update(inputs[i]);
        }
      } else {
        for (let i = 0; i < n; i++) createCipheriv('aes-256-cbc', aes, ivViews[i]).setAutoPadding(false).update(padded[i]);
      }
      hashSigned();
      signOrMac(mac);
    },
    async decrypt() {
      const { aes, mac, fresh } = await itemKeys('decrypt');
      hashSigned();
      verifyOrMac(mac);
      if (strict) {
        const decipher = fresh ? createDecipheriv('aes-256-cbc', aes, ZERO_IV).setAutoPadding(false) : staticDecipher;
        for (let i = 0; i < n; i++) decipher.update(stored[i]);
      } else {
        for (let i = 0; i < n; i++) createDecipheriv('aes-256-cbc', aes, storedIvs[i]).setAutoPadding(false).update(storedBodies[i]);
      }
    },
  };
}

/**
 * The sizes the floor works on, from a real encryption of `item`: each encrypted attribute's
 * serialized plaintext, and each signed value's stored serialization.
 */
export function itemShape(item, stored, signOnly, serializeAttribute) {
  const encrypted = [];
  const signed = [];
  for (const name of Object.keys(item)) {
    if (signOnly.includes(name)) signed.push(serializeAttribute(item[name]).length);
    else {
      encrypted.push(serializeAttribute(item[name]).length);
      signed.push(serializeAttribute(stored[name]).length);
    }
  }
  return { encrypted, signed };
}
