/**
 * `ddbec/searchable` — searchable encryption for DB-ESDK tables (beacons): the `search`
 * configuration of a table (`DbesdkTableEncryptionConfig.search` of `ddbec/sdk`), the beacon
 * length advice, and the GSI a beacon needs. See docs/searchable-encryption.md.
 */
export type {
  BeaconKeySource,
  BeaconStyle,
  BeaconVersion,
  CompoundBeacon,
  Constructor,
  ConstructorPart,
  EncryptedPart,
  MultiKeyStore,
  PartitionSelector,
  SearchConfig,
  SignedPart,
  SingleKeyStore,
  StandardBeacon,
  VirtualField,
  VirtualPart,
  VirtualTransform,
} from './config.js';
export { beaconLength, beaconLengthFigures, type BeaconLengthAdvice, type BeaconLengthFigures } from './length.js';
export { beaconIndex, type BeaconIndexDefinition, type BeaconIndexOptions } from '../sdk/beacon-index.js';
