/**
 * The pipeline: read → validate shape → normalize → rules → graph. Each stage returns
 * diagnostics; a stage runs only if the one before produced no errors (a shape error would make
 * the rules report nonsense), and all the rules run together so the user sees every problem.
 */
import { dirname } from 'node:path';
import type { Diagnostic } from '../lib/failure.js';
import { defaultCondition, startOrder } from './graph.js';
import { normalize } from './normalize.js';
import { parseContractText, readContractFile, type ReadResult } from './read.js';
import { rules } from './rules/index.js';
import type { Contract } from './types.js';
import { validateShape } from './validate.js';

export interface CompileResult {
  contract?: Contract;
  diagnostics: Diagnostic[];
}

const hasErrors = (ds: Diagnostic[]) => ds.some((d) => d.severity === 'error');

/** Compile the contract at `absFile` (`shownFile` is how messages name it). */
export async function compileFile(absFile: string, shownFile: string, env: NodeJS.ProcessEnv): Promise<CompileResult> {
  return compileRead(await readContractFile(absFile, shownFile), absFile, env);
}

/** Compile contract text as if it were at `absFile` (relative paths resolve from its directory). */
export function compileText(text: string, absFile: string, shownFile: string, env: NodeJS.ProcessEnv): CompileResult {
  return compileRead(parseContractText(text, shownFile, absFile), absFile, env);
}

function compileRead(read: ReadResult, absFile: string, env: NodeJS.ProcessEnv): CompileResult {
  if (!read.ok) return { diagnostics: read.diagnostics };
  const { source, data } = read;
  const shape = validateShape(data, source);
  if (!shape.value) return { diagnostics: shape.diagnostics };
  const { draft, diagnostics } = normalize(shape.value, { file: absFile, root: dirname(absFile), source, env });
  if (hasErrors(diagnostics)) return { diagnostics };
  const { contract } = draft;
  for (const s of Object.values(contract.services)) {
    const origins = draft.origins.dependsOn[s.name] ?? [];
    s.dependsOn.forEach((dep, i) => {
      if (!origins[i]?.explicit) dep.condition = defaultCondition(contract.services[dep.service]);
    });
  }
  for (const rule of rules) diagnostics.push(...rule.check(draft));
  sortDiagnostics(diagnostics);
  if (hasErrors(diagnostics)) return { diagnostics };
  contract.startOrder = startOrder(contract.services);
  return { contract, diagnostics };
}

/** Errors before warnings, then by position, so output reads top to bottom. */
function sortDiagnostics(ds: Diagnostic[]): void {
  ds.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
