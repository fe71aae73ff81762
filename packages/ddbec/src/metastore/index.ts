export { MetaStore, type CreateMetaStoreTableOptions, type MetaStoreOptions } from './meta-store.js';
export { MemoryMetaStore, type MemoryMetaStoreOptions } from './memory-store.js';
export { RowProviderStore } from './store-base.js';
export { Row as MetaStoreRow, rowConfig as metaStoreRowConfig } from './rows.js';
export {
  GRACE_PERIOD_MS,
  MostRecentProvider,
  type MostRecentProviderOptions,
  type ProviderStore,
  type VersionedProvider,
} from '../providers/index.js';
