// Public surface of FEEL support: compile once per release, evaluate per request.
export { compileFeel } from './feel.compiler';
export { createFeelCache, type FeelCache } from './feel.cache';
export type { CompiledFeel, FeelCompileOptions, FeelCompileResult, FeelContext, FeelDialect, FeelNames, FeelSyntaxError } from './feel.types';
