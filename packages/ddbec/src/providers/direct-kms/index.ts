export {
  DirectKmsMaterialsProvider,
  KmsContextKey,
  regionOf,
  type DirectKmsMaterialsProviderOptions,
} from './direct-kms.js';
