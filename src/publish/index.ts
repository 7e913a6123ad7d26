/** The publish layer: the evidence vocabulary and manifest, and the publishers that render it. */
export * from './evidence/states.js';
export * from './evidence/plan.js';
export * from './evidence/verdict.js';
export * from './evidence/manifest.js';
export type { Publisher, PublishInput, ReviewRequest } from './types.js';
