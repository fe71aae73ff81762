export { GRACE_PERIOD_MS, MostRecentProvider, type MostRecentProviderOptions } from './most-recent.js';
export {
  checkMaterialName,
  metaId,
  versionFromDescription,
  type ProviderStore,
  type VersionedProvider,
} from './provider-store.js';
