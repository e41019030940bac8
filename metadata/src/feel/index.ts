// Public surface of FEEL support: compile once per release, evaluate per request.
export { compileFeel } from './feel.compiler';
export { createFeelCache, type FeelCache } from './feel.cache';
export type { CompiledFeel, FeelCompileResult, FeelContext, FeelDialect, FeelSyntaxError } from './feel.types';
