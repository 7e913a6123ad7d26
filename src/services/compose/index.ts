/**
 * compose services: the preflight that picks a tool, the derived compose file with leased ports,
 * the argv per tool, and the compose healthcheck as a factory check. docs/runtime.md "compose services".
 */
export {
  composeDownArgvs,
  composeExecArgv,
  composeLogsArgv,
  composeStopArgv,
  composeUpArgv,
  type ComposeProject,
} from './argv.js';
export {
  composeService,
  containerPorts,
  deriveCompose,
  locateComposeFile,
  readCompose,
  type ComposeDoc,
} from './derive.js';
export { composeHealthcheck, composeDurationMs } from './healthcheck.js';
export { composePreflight } from './preflight.js';
export { parseComposeVersion, type ComposeTool } from './tool.js';
