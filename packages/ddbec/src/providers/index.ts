export { StaticMaterialsProvider, type StaticMaterialsProviderOptions } from './static.js';
export { WrappedMaterialsProvider, type WrappedMaterialsProviderOptions } from './wrapped.js';
