/** `factory doctor`'s checks: this machine's prerequisites for the contract and the agent loop. */
export { CHECKS, runDoctor, type DoctorOptions, type DoctorReport } from './run.js';
export { DoctorOutput } from './schema.js';
export type { CheckResult, CheckStatus } from './types.js';
