/**
 * `factory doctor`'s vocabulary. A check is a small named rule: whether this machine needs it (for
 * the contract in hand, or for the agent loop as asked), and a probe that answers ok, missing or
 * broken with the exact command that fixes it.
 */
import type { Contract } from '../contract/index.js';

export type CheckStatus = 'ok' | 'missing' | 'broken';

export interface CheckResult {
  /** Stable id: `node`, `git`, `chromium`, `agent:codex`, … */
  id: string;
  status: CheckStatus;
  /** Needed here: a needed check that is not ok makes doctor exit 3. */
  needed: boolean;
  /** Why it is needed (or what would need it). */
  why: string;
  /** What was found: a version, a path, what failed. */
  detail: string;
  /** The exact command (or step) that fixes it; null when ok. */
  fix: string | null;
}

export interface DoctorContext {
  env: NodeJS.ProcessEnv;
  /** The contract here, when there is a valid one. */
  contract: Contract | undefined;
  /** Agents the caller will run (`--agent`): their CLIs and logins are needed. */
  agents: string[];
  /** The sandbox the caller will use (`--sandbox`, default bwrap: the agent loop's default). */
  sandbox: string;
  /** Where validation looks for Chromium (tests pass their own list to hide the system one). */
  chromiumCandidates?: readonly string[];
}

export interface Check {
  id: string;
  /** Needed here, with the reason either way. */
  need(ctx: DoctorContext): { needed: boolean; why: string };
  probe(ctx: DoctorContext): Promise<Omit<CheckResult, 'id' | 'needed' | 'why'>>;
}

export const ok = (detail: string) => ({ status: 'ok' as const, detail, fix: null });
export const missing = (detail: string, fix: string) => ({ status: 'missing' as const, detail, fix });
export const broken = (detail: string, fix: string) => ({ status: 'broken' as const, detail, fix });
