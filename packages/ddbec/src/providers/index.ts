export { StaticMaterialsProvider, type StaticMaterialsProviderOptions } from './static.js';
export { WrappedMaterialsProvider, type WrappedMaterialsProviderOptions } from './wrapped.js';
export * from './most-recent/index.js';
