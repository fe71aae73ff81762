/** Known answers for the header and footer bytes the Java and .NET writers stored in the vectors. */
import { expect, it } from 'vitest';
import { parseFooter, serializeFooter } from '../../src/structured/footer.js';
import { parseHeader, serializePartialHeader } from '../../src/structured/header.js';
import { b64, describeDbesdkVectors, readDbesdkJson, vectorBranchKey } from './vectors.js';

interface Stored {
  aws_dbe_head: { B: string };
  aws_dbe_foot: { B: string };
}

describeDbesdkVectors('DB-ESDK header and footer known answers', () => {
  const java33 = readDbesdkJson<{ tests: Record<string, { encrypted: Stored }> }>('decrypt_java_33.json').tests;
  const dotnet = readDbesdkJson<{ tests: Record<string, { encrypted: Stored }> }>('decrypt_dotnet_32.json').tests;
  const stored = (tests: typeof java33, id: string): Stored => {
    const test = tests[id];
    if (test === undefined) throw new Error(`no vector ${id}`);
    return test.encrypted;
  };

  it.each([
    ['java 3.3 #1 (version 1, ECDSA)', java33, '1', 1, 0x6701, ['ENCRYPT_AND_SIGN', 'ENCRYPT_AND_SIGN', 'SIGN_ONLY']],
    ['java 3.3 #12 (version 2, ECDSA)', java33, '12', 2, 0x6701, ['SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT', 'ENCRYPT_AND_SIGN', 'SIGN_AND_INCLUDE_IN_ENCRYPTION_CONTEXT']],
    ['.NET 3.2 #7 (version 1, HMAC only)', dotnet, '7', 1, 0x6700, ['ENCRYPT_AND_SIGN', 'ENCRYPT_AND_SIGN', 'SIGN_ONLY']],
  ] as const)('%s parses, and re-serializes byte for byte', (_name, tests, id, version, suite, legend) => {
    const { aws_dbe_head, aws_dbe_foot } = stored(tests, id);
    const bytes = b64(aws_dbe_head.B);
    const header = parseHeader(bytes);
    expect(header.version).toBe(version);
    expect(header.algorithmSuiteId).toBe(suite);
    expect(header.messageId).toHaveLength(32);
    // legend order is canonical-path order: shorter names first (Junk, Stuff, RecNum)
    expect(header.legend).toEqual(legend);
    const publicKey = header.storedEncryptionContext['aws-crypto-public-key'];
    if (suite === 0x6701) {
      expect(Object.keys(header.storedEncryptionContext)).toEqual(['aws-crypto-public-key']);
      expect([2, 3]).toContain(b64(publicKey ?? '')[0]);
      expect(b64(publicKey ?? '')).toHaveLength(49);
    } else {
      expect(header.storedEncryptionContext).toEqual({});
    }
    expect(header.encryptedDataKeys).toHaveLength(1);
    const [edk] = header.encryptedDataKeys;
    expect(edk?.keyProviderId).toBe('aws-kms-hierarchy');
    expect(Buffer.from(edk?.keyProviderInfo ?? []).toString()).toBe(vectorBranchKey()['key-id']);
    // 48 (wrapped data key) + 16 salt + 12 IV + 16 version + 32 + 16 (wrapped intermediate key)
    expect(edk?.ciphertext).toHaveLength(140);
    expect(Buffer.from(edk?.ciphertext.subarray(76, 92) ?? []).toString('hex')).toBe(vectorBranchKey().branchKeyVersion.replaceAll('-', ''));
    expect(Buffer.concat([serializePartialHeader(header), header.commitment]).equals(bytes)).toBe(true);

    const footerBytes = b64(aws_dbe_foot.B);
    const footer = parseFooter(footerBytes, 1, suite === 0x6701);
    expect(footer?.recipientTags).toHaveLength(1);
    if (suite === 0x6701) expect(Buffer.from(footer?.signature?.subarray(0, 2) ?? []).toString('hex')).toBe('3065');
    expect(parseFooter(footerBytes, 1, suite !== 0x6701)).toBeUndefined();
    expect(parseFooter(footerBytes, 2, suite === 0x6701)).toBeUndefined();
    expect(Buffer.from(serializeFooter(footer ?? { recipientTags: [] })).equals(Buffer.from(footerBytes))).toBe(true);
  });
});
