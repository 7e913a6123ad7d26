/**
 * The PRD walk's public face (docs/prd.md): an orchestration layer above the agent loop, test
 * suites, setup and backlog sources — a PRD's tasks one by one, each an agent run on the PRD's
 * branch, tests before the ledger commit, a review and a publish at the end.
 */
export { walkPrd } from './walk.js';
export { walkBacklog, type BatchResult } from './batch.js';
export { agentLoopRunner } from './agent-runner.js';
export { prdBranch, type WalkResult, type WalkOptions } from './types.js';
export type { AgentRunner, TestRunner } from './runner.js';
export type { PhaseTimeouts } from './phase.js';
export { renderBatch, renderEvent } from './render.js';
export { AgentPrdOutputSchema, toJsonOutput } from './schema.js';
