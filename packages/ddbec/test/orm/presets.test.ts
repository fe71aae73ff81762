// The ORM presets, read from the ORMs' real entity definitions, the configuration file's `orm`,
// and the configuration check.
import { Entity as ElectroEntity } from 'electrodb';
import { Table } from 'dynamodb-toolbox/table';
import { Entity as ToolboxEntity } from 'dynamodb-toolbox/entity';
import { item } from 'dynamodb-toolbox/schema/item';
import { string } from 'dynamodb-toolbox/schema/string';
import { describe, expect, it } from 'vitest';
import { AttributeActions, CryptoAction, isDdbecError } from '../../src/index.js';
import { loadConfig } from '../../src/config/index.js';
import { checkOrmConfiguration, ormAttributeActions, ormPreset } from '../../src/orm/index.js';

const { SignOnly, DoNothing, EncryptAndSign } = CryptoAction;

/** Keys composed of other attributes: `pk = $app#id_…`, `gsi1pk = $app#org_…`, `gsi1sk = $user_1#role_…#id_…`. */
const composedUser = new ElectroEntity(
  {
    model: { entity: 'user', version: '1', service: 'app' },
    attributes: { id: { type: 'string', required: true }, org: { type: 'string', required: true, field: 'organisation' }, role: { type: 'string' }, email: { type: 'string' } },
    indexes: {
      primary: { pk: { field: 'pk', composite: ['id'] }, sk: { field: 'sk', composite: [] } },
      byOrg: { index: 'gsi1', pk: { field: 'gsi1pk', composite: ['org'] }, sk: { field: 'gsi1sk', composite: ['role', 'id'] } },
    },
  },
  { table: 'app' },
);
/** Attributes as keys: every key attribute is an attribute of its own. */
const keyedUser = new ElectroEntity(
  {
    model: { entity: 'user', version: '1', service: 'app' },
    attributes: { pk: { type: 'string', required: true }, sk: { type: 'string', required: true }, email: { type: 'string' } },
    indexes: { primary: { pk: { field: 'pk', composite: ['pk'] }, sk: { field: 'sk', composite: ['sk'] } } },
  },
  { table: 'app' },
);
const table = new Table({ name: 'app', partitionKey: { name: 'pk', type: 'string' }, sortKey: { name: 'sk', type: 'string' } });
const KEYS = { partitionKey: 'pk', sortKey: 'sk' };

describe('ormPreset', () => {
  it('ElectroDB: markers and composite attributes sign-only, derived keys found, nothing do-nothing', () => {
    const preset = ormPreset('electrodb', { entities: [composedUser] });
    expect(preset.signOnly).toEqual(['__edb_e__', '__edb_v__', 'id', 'organisation', 'role']);
    expect(preset.doNothing).toEqual([]);
    expect(preset.writtenByUpdates).toEqual([
      { attribute: '__edb_e__', changes: false },
      { attribute: '__edb_v__', changes: false },
      { attribute: 'id', changes: false },
    ]);
    expect(preset.filteredOn).toEqual(['__edb_e__', '__edb_v__']);
    expect(preset.derivedKeys.map((key) => [key.attribute, key.from, key.primary])).toEqual([
      ['pk', ['id'], true],
      ['sk', [], true],
      ['gsi1pk', ['organisation'], false],
      ['gsi1sk', ['role', 'id'], false],
    ]);
  });

  it('ElectroDB with attributes as keys: only the markers', () => {
    const preset = ormPreset('electrodb', { entities: [keyedUser] });
    expect(preset.signOnly).toEqual(['__edb_e__', '__edb_v__']);
    expect(preset.derivedKeys).toEqual([]);
    expect(ormPreset('electrodb').signOnly).toEqual(['__edb_e__', '__edb_v__']);
  });

  it('dynamodb-toolbox: entity and creation date sign-only, modification date do-nothing, as saved', () => {
    const standard = new ToolboxEntity({ name: 'User', table, schema: item({ pk: string().key(), sk: string().key() }) });
    expect(ormPreset('dynamodb-toolbox', { entities: [standard] })).toMatchObject({ signOnly: ['_et', '_ct'], doNothing: ['_md'], filteredOn: ['_et'] });
    const renamed = new ToolboxEntity({
      name: 'User',
      table,
      schema: item({ pk: string().key(), sk: string().key() }),
      entityAttribute: { name: 'kind' },
      timestamps: { created: { name: 'made' }, modified: false },
    });
    expect(ormPreset('dynamodb-toolbox', { entities: [renamed] })).toMatchObject({ signOnly: ['_et', '_ct'], doNothing: [] });
    expect(ormPreset('dynamodb-toolbox', { modifiedAttribute: false, entityAttribute: 'kind' })).toMatchObject({ signOnly: ['kind', '_ct'], doNothing: [] });
  });

  it('dynamoose: createdAt sign-only, updatedAt do-nothing', () => {
    expect(ormPreset('dynamoose')).toMatchObject({ signOnly: ['createdAt'], doNothing: ['updatedAt'] });
    expect(ormPreset('dynamoose', { createdAttribute: 'made', modifiedAttribute: false })).toMatchObject({ signOnly: ['made'], doNothing: [] });
  });

  it('refuses what it cannot read', () => {
    for (const run of [
      () => ormPreset('sequelize' as 'electrodb'),
      () => ormPreset('electrodb', { entities: [{}] }),
      () => ormPreset('dynamodb-toolbox', { entities: [composedUser] }),
      () => ormPreset('dynamoose', { createdAttribute: '' }),
    ]) {
      expect(run).toThrow(expect.objectContaining({ code: 'ERR_INVALID_ARGUMENT' }));
    }
  });
});

describe('ormAttributeActions', () => {
  it('puts the preset under your own actions and default', () => {
    const actions = ormAttributeActions('dynamoose', { attributeActions: { updatedAt: SignOnly, note: DoNothing } });
    expect([actions.actionOf('createdAt'), actions.actionOf('updatedAt'), actions.actionOf('note'), actions.actionOf('secret')]).toEqual([SignOnly, SignOnly, DoNothing, EncryptAndSign]);
    expect(ormAttributeActions('electrodb', { defaultAction: SignOnly }).defaultAction).toBe(SignOnly);
  });
});

describe('the configuration file', () => {
  const base = { partitionKey: 'pk', sortKey: 'sk', provider: { type: 'static', signingKey: { env: 'SIGN' }, encryptionKey: { env: 'ENC' } } };
  const env = { SIGN: Buffer.alloc(32, 1).toString('base64'), ENC: Buffer.alloc(32, 2).toString('base64') };

  it('applies the preset of "orm", under the overrides', async () => {
    const config = await loadConfig(
      {
        tables: {
          users: { ...base, orm: { name: 'electrodb', compositeAttributes: ['id'] }, attributeActions: { overrides: { __edb_v__: 'DO_NOTHING' } } },
          cats: { ...base, orm: 'dynamoose' },
        },
      },
      { env },
    );
    const users = config.table('users').attributeActions;
    expect([users.actionOf('__edb_e__'), users.actionOf('__edb_v__'), users.actionOf('id'), users.actionOf('email')]).toEqual([SignOnly, DoNothing, SignOnly, EncryptAndSign]);
    const cats = config.table('cats').attributeActions;
    expect([cats.actionOf('createdAt'), cats.actionOf('updatedAt')]).toEqual([SignOnly, DoNothing]);
  });

  it('a preset that signs needs a provider even when the default is DO_NOTHING', async () => {
    const error = await loadConfig({ tables: { t: { partitionKey: 'pk', orm: 'electrodb', attributeActions: { default: 'DO_NOTHING' } } } }).catch((e: unknown) => e);
    expect(isDdbecError(error, 'ERR_INVALID_ARGUMENT')).toBe(true);
    expect((error as Error).message).toContain('tables.t.provider: is required');
  });

  it('names the path of a bad "orm"', async () => {
    for (const [orm, text] of [
      ['prisma', 'tables.t.orm'],
      [{ name: 'dynamoose', modifiedAttribute: true }, 'tables.t.orm.modifiedAttribute'],
      [{ name: 'electrodb', entities: [] }, 'tables.t.orm.entities'],
    ] as const) {
      const error = await loadConfig({ tables: { t: { ...base, orm } } }, { env }).catch((e: unknown) => e);
      expect((error as Error).message, JSON.stringify(orm)).toContain(text);
    }
  });
});

describe('checkOrmConfiguration', () => {
  it('finds what fails with default actions on ElectroDB, and the plaintext copies', () => {
    const report = checkOrmConfiguration({
      orm: 'electrodb',
      entities: [composedUser],
      keySchema: { ...KEYS, indexes: [{ indexName: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' }] },
      attributeActions: new AttributeActions(),
    });
    const found = report.findings.map((finding) => [finding.severity, finding.kind, finding.attributes.join(',')]);
    expect(found).toEqual([
      ['error', 'signed-update', '__edb_e__'],
      ['error', 'signed-update', '__edb_v__'],
      ['error', 'signed-update', 'id'],
      ['error', 'encrypted-filter', '__edb_e__'],
      ['error', 'encrypted-filter', '__edb_v__'],
      ['warning', 'plaintext-copy', 'id'],
      ['warning', 'plaintext-copy', 'organisation'],
      ['warning', 'index-key-update', 'organisation'],
      ['warning', 'plaintext-copy', 'role,id'],
      ['warning', 'index-key-update', 'role,id'],
    ]);
  });

  it('finds nothing that fails with the preset; reports every unauthenticated attribute', () => {
    const report = checkOrmConfiguration({
      orm: 'electrodb',
      entities: [keyedUser],
      keySchema: KEYS,
      attributeActions: ormAttributeActions('electrodb', { entities: [keyedUser], attributeActions: { note: DoNothing } }),
      items: [{ pk: 'a', sk: 'b', email: 'e', note: 'n', __edb_e__: 'user', __edb_v__: '1' }],
    });
    expect(report.findings.map((finding) => [finding.severity, finding.kind, finding.attributes.join(',')])).toEqual([['warning', 'unauthenticated', 'note']]);
    expect(report.actions).toMatchObject({ pk: SignOnly, email: EncryptAndSign, note: DoNothing, __edb_e__: SignOnly });
  });

  it('finds the ORM from sample items, and key attributes that would be encrypted', () => {
    const report = checkOrmConfiguration({
      keySchema: KEYS,
      attributeActions: new AttributeActions({ attributeActions: { sk: EncryptAndSign } }),
      items: [{ pk: 'a', sk: 'b', _et: 'User', _ct: 'now', _md: 'now' }],
    });
    expect(report.orm).toBe('dynamodb-toolbox');
    expect(report.findings.map((finding) => [finding.kind, finding.attributes.join(',')])).toEqual([
      ['encrypted-key', 'sk'],
      ['signed-update', '_et'],
      ['signed-update', '_ct'],
      ['signed-update', '_md'],
      ['encrypted-filter', '_et'],
    ]);
  });
});
