/**
 * The contract layer's light entry, for commands that run a contract rather than edit one (start,
 * setup, env, check, config): loading (through the compiled-contract cache, ./cache.ts),
 * interpolation and the reports. It re-exports nothing that loads the schemas (TypeBox), the YAML
 * parser, the validator or `init`; on a cache hit a command loads none of them (ADR 0161).
 * ./index.ts re-exports all of it; type-only imports go through the index.
 */
export { loadContract, checkContract } from './load.js';
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
export { countLabel, diagnosticJson, renderDiagnostics } from './report.js';
export { configFailureJson, configJson, renderConfig } from './render-config.js';
