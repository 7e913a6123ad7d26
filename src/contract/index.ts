/**
 * The contract layer's public face: read factory.yaml (keeping source positions), validate it,
 * apply the cross-field rules, compile it to a `Contract`, and the interpolation every layer that
 * runs a command uses. Only `Contract` (./types.ts) leaves this folder, never the written form's
 * internals. `./locate.ts` (finding the file) and `./light.ts` (loading through the compiled-contract
 * cache, interpolation, reports) are the light entries for hot paths (no schemas, no compiler).
 */
export type * from './types.js';
export * from './light.js';
export { CONTRACT_FILE, findContractFile, locateContractFile } from './locate.js';
export { loadContractWithWarnings, type LoadOptions } from './load.js';
export { graphEdges, type GraphEdge } from './graph.js';
export { FactoryYamlSchema, type FactoryYaml } from './schema.js';
export { CheckOutput, ConfigOutput, InitOutput } from './output-schemas.js';
export { initContract } from './init/index.js';
export { DEFAULTS } from './defaults.js';
