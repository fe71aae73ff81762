/**
 * `ddbec/orm` — attribute-action presets for the ORMs people use on DynamoDB (ElectroDB,
 * dynamodb-toolbox v2, dynamoose) and a check of a table's configuration against how an ORM
 * uses it. No ORM is imported: entity definitions are read structurally. The encrypting
 * clients the ORMs take are in `ddbec/sdk` (`EncryptedDynamoDBClient`, and `EncryptedDynamoDB`
 * for dynamoose). Guide: docs/orms.md.
 */
export type { OrmName } from '../sdk/orm-hints.js';
export {
  ORM_NAMES,
  ormAttributeActions,
  ormPreset,
  type DerivedKey,
  type OrmAttributeActionsOptions,
  type OrmPreset,
  type OrmPresetOptions,
} from './presets.js';
export { checkOrmConfiguration, type OrmCheckInput, type OrmCheckReport, type OrmFinding, type OrmFindingKind } from './check.js';
