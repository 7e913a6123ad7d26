/**
 * The contract layer's public face: read factory.yaml (keeping source positions), validate it,
 * apply the cross-field rules, compile it to a `Contract`, and the interpolation every layer that
 * runs a command uses. Only `Contract` (./types.ts) leaves this folder, never the written form's
 * internals. `./locate.ts` is the light entry for hot paths (no compiler).
 */
export type * from './types.js';
export { CONTRACT_FILE, findContractFile, locateContractFile } from './locate.js';
export { loadContract, loadContractWithWarnings, checkContract, type LoadOptions } from './load.js';
export {
  BUILTIN_NAMES,
  buildInstanceEnv,
  builtinVars,
  composeProjectName,
  portEnvVar,
  readEnvFile,
  resolveCommand,
  resolveEnvMap,
  resolveTemplate,
  serviceEnv,
  withEnv,
} from './interpolate.js';
export { parseTemplate } from './template.js';
export { graphEdges, type GraphEdge } from './graph.js';
export { FactoryYamlSchema, type FactoryYaml } from './schema.js';
export { CheckOutput, ConfigOutput, InitOutput } from './output-schemas.js';
export { countLabel, diagnosticJson, renderDiagnostics } from './report.js';
export { configFailureJson, configJson, renderConfig } from './render-config.js';
export { initContract } from './init/index.js';
export { DEFAULTS } from './defaults.js';
