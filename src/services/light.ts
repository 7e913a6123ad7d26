/**
 * The runtime's light entry for the commands that act on one instance (`start`, `stop`, `clean`,
 * `restart`, `env`; ADR 0161): the operations without the rest of ./index.ts (the output schemas'
 * TypeBox, ps, the foreground supervisor). ./read.ts is the lighter one for reading state only.
 * ./index.ts exports all of it too; type-only imports go through the index.
 */
export { startInstance } from './start.js';
export { stopInstance, cleanInstance } from './stop.js';
export { restartService } from './restart.js';
export { describeInstanceEnv, getInstanceEnv, toShell } from './env.js';
export { readInstanceStatus } from './status-read.js';
