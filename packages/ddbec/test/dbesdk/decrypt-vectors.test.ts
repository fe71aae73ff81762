/**
 * Every DB-ESDK decrypt vector (written by the Java and .NET DB-ESDK): positive ones decrypt to
 * their plaintext, negative ones are refused.
 */
import { expect, it } from 'vitest';
import { DbesdkItemEncryptor } from '../../src/dbesdk/item-encryptor.js';
import type { DbesdkCryptoAction } from '../../src/dbesdk/config.js';
import { isDdbecError } from '../../src/errors.js';
import type { AttributeValue, Item } from '../../src/format/attribute-value.js';
import { HierarchicalKeyring } from '../../src/keyrings/hierarchical/hierarchical-keyring.js';
import { describeDbesdkVectors, readDbesdkJson, vectorBranchKey, vectorKeyStore, VECTOR_PARTITION_KEY, VECTOR_TABLE } from './vectors.js';
import { fromVectorItem, normalized } from './vector-items.js';

interface DecryptVector {
  type: 'positive-decrypt' | 'negative-decrypt';
  description: string;
  config: {
    attributeActionsOnEncrypt: Record<string, DbesdkCryptoAction>;
    allowedUnsignedAttributes?: string[];
    allowedUnsignedAttributePrefix?: string;
  };
  plaintext: Record<string, unknown>;
  encrypted: Record<string, unknown>;
}

const FILES = ['decrypt_java_32.json', 'decrypt_java_33.json', 'decrypt_dotnet_32.json'];

describeDbesdkVectors('DB-ESDK decrypt vectors', () => {
  const keyring = new HierarchicalKeyring({ keyStore: vectorKeyStore(), branchKeyId: vectorBranchKey()['key-id'] });
  const cases = FILES.flatMap((file) =>
    Object.entries(readDbesdkJson<{ tests: Record<string, DecryptVector> }>(file).tests).map(([id, vector]) => ({ file, id, vector })),
  );

  it('covers every vector of the three manifests, both results', () => {
    expect(cases).toHaveLength(30);
    expect(cases.filter((c) => c.vector.type === 'negative-decrypt')).toHaveLength(3);
  });

  it.each(cases)('$file #$id $vector.type: $vector.description', async ({ vector }) => {
    const encryptor = new DbesdkItemEncryptor({
      logicalTableName: VECTOR_TABLE,
      partitionKeyName: VECTOR_PARTITION_KEY,
      attributeActionsOnEncrypt: vector.config.attributeActionsOnEncrypt,
      allowedUnsignedAttributes: vector.config.allowedUnsignedAttributes,
      allowedUnsignedAttributePrefix: vector.config.allowedUnsignedAttributePrefix,
      keyring,
    });
    const encrypted = fromVectorItem(vector.encrypted);
    if (vector.type === 'negative-decrypt') {
      const error = await encryptor.decryptItem(encrypted).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isDdbecError(error, "ERR_SIGNATURE_INVALID"), String(error)).toBe(true);
      return;
    }
    const decrypted: Item = await encryptor.decryptItem(encrypted);
    expect(normalized(decrypted)).toEqual(normalized(fromVectorItem(vector.plaintext)));
    const values: AttributeValue[] = Object.values(decrypted);
    expect(values.length).toBe(Object.keys(vector.plaintext).length);
  });
});
