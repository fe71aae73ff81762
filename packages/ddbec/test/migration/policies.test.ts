import { describe, expect, it } from 'vitest';
import { isDdbecError, MATERIAL_DESCRIPTION_ATTRIBUTE, SIGNATURE_ATTRIBUTE, type Item } from '../../src/index.js';
import {
  checkPolicies,
  checkWritable,
  LegacyPolicy,
  PlaintextPolicy,
  readFormat,
  writeFormat,
  type MigrationPolicies,
} from '../../src/migration/policies.js';

const bytes = { B: new Uint8Array([1, 2, 3]) };
const legacyItem: Item = { pk: { S: 'a' }, [MATERIAL_DESCRIPTION_ATTRIBUTE]: bytes, [SIGNATURE_ATTRIBUTE]: bytes };
const dbesdkItem: Item = { pk: { S: 'a' }, aws_dbe_head: bytes, aws_dbe_foot: bytes };
const plaintextItem: Item = { pk: { S: 'a' }, name: { S: 'x' } };

const refused = (run: () => unknown): string | undefined => {
  try {
    run();
  } catch (error) {
    if (isDdbecError(error, 'ERR_ITEM_FORMAT_REFUSED')) return 'refused';
    throw error;
  }
  return undefined;
};

// The decision table of ddb-table-encryption-config.md and decrypt-item.md, row by row.
const CASES: readonly [policies: MigrationPolicies, write: string, legacy: string, dbesdk: string, plaintext: string][] = [
  [{}, 'dbesdk', 'refused', 'dbesdk', 'refused'],
  [{ legacy: LegacyPolicy.ForceLegacyEncryptAllowLegacyDecrypt }, 'legacy', 'legacy', 'dbesdk', 'refused'],
  [{ legacy: LegacyPolicy.ForbidLegacyEncryptAllowLegacyDecrypt }, 'dbesdk', 'legacy', 'dbesdk', 'refused'],
  [{ legacy: LegacyPolicy.ForbidLegacyEncryptForbidLegacyDecrypt }, 'dbesdk', 'refused', 'dbesdk', 'refused'],
  // a legacy item has no DB-ESDK header, so the specification's plaintext rule passes it through
  [{ plaintext: PlaintextPolicy.ForcePlaintextWriteAllowPlaintextRead }, 'plaintext', 'plaintext', 'dbesdk', 'plaintext'],
  [{ plaintext: PlaintextPolicy.ForbidPlaintextWriteAllowPlaintextRead }, 'dbesdk', 'plaintext', 'dbesdk', 'plaintext'],
  [{ plaintext: PlaintextPolicy.ForbidPlaintextWriteForbidPlaintextRead }, 'dbesdk', 'refused', 'dbesdk', 'refused'],
];

describe('migration policies', () => {
  it.each(CASES)('%j writes %s; reads legacy → %s, DB-ESDK → %s, plaintext → %s', (policies, write, legacy, dbesdk, plaintext) => {
    expect(writeFormat(policies)).toBe(write);
    for (const [item, expected] of [
      [legacyItem, legacy],
      [dbesdkItem, dbesdk],
      [plaintextItem, plaintext],
    ] as const) {
      expect(refused(() => readFormat(item, policies, 't')) ?? readFormat(item, policies, 't')).toBe(expected);
    }
  });

  it('an item with only one of aws_dbe_head and aws_dbe_foot is not plaintext: it goes to the DB-ESDK decryptor (which refuses it)', () => {
    const policies = { plaintext: PlaintextPolicy.ForbidPlaintextWriteAllowPlaintextRead };
    expect(readFormat({ pk: { S: 'a' }, aws_dbe_head: bytes }, policies, 't')).toBe('dbesdk');
    expect(readFormat({ pk: { S: 'a' }, aws_dbe_foot: bytes }, policies, 't')).toBe('dbesdk');
  });

  it('an item with only one of the legacy attributes is not a legacy item', () => {
    expect(readFormat({ pk: { S: 'a' }, [SIGNATURE_ATTRIBUTE]: bytes, aws_dbe_head: bytes }, { legacy: LegacyPolicy.ForbidLegacyEncryptAllowLegacyDecrypt }, 't')).toBe('dbesdk');
  });

  it('refusals name the format and the policy, never a value', () => {
    expect(() => readFormat(legacyItem, { legacy: LegacyPolicy.ForbidLegacyEncryptForbidLegacyDecrypt }, 'orders')).toThrow(
      'table "orders": the item is in the legacy format, which legacy policy FORBID_LEGACY_ENCRYPT_FORBID_LEGACY_DECRYPT forbids',
    );
    expect(() => readFormat(plaintextItem, {}, 'orders')).toThrow('the table does not read (it has no plaintextOverride)');
  });

  it('refuses both overrides on one table, and unknown policies', () => {
    expect(() => { checkPolicies({ legacy: LegacyPolicy.ForbidLegacyEncryptAllowLegacyDecrypt, plaintext: PlaintextPolicy.ForbidPlaintextWriteAllowPlaintextRead }, 'tables["t"]'); }).toThrow(
      /tables\["t"\] has both legacyOverride and plaintextOverride/,
    );
    expect(() => { checkPolicies({ legacy: 'FORCE_LEGACY' as LegacyPolicy }, 'x'); }).toThrow('x.legacyOverride.policy must be one of');
    expect(() => { checkPolicies({ plaintext: 'ALLOW' as PlaintextPolicy }, 'x'); }).toThrow('x.plaintextOverride must be one of');
    expect(() => { checkPolicies({ legacy: LegacyPolicy.ForceLegacyEncryptAllowLegacyDecrypt }, 'x'); }).not.toThrow();
  });

  it('refuses to write an attribute named aws_dbe_…', () => {
    expect(() => { checkWritable({ pk: { S: 'a' }, aws_dbe_b_x: { S: 'y' } }, 't'); }).toThrow(/"aws_dbe_b_x"/);
    expect(() => { checkWritable({ pk: { S: 'a' }, aws_db: { S: 'y' } }, 't'); }).not.toThrow();
  });
});
