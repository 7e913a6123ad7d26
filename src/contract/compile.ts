/**
 * The pipeline: read → validate shape → normalize → rules → graph. Each stage returns
 * diagnostics, and the user sees every problem of a file in one run: when the shape has errors,
 * ./repair.ts takes the invalid parts out and the later stages check the rest (their findings
 * about removed parts, or caused by the removal, are dropped). Only a file that cannot be read or
 * parsed as YAML stops at the first stage.
 */
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Diagnostic } from '../lib/failure.js';
import { defaultCondition, startOrder } from './graph.js';
import { normalize } from './normalize.js';
import { parseContractText, readContractFile, type ReadResult } from './read.js';
import { afterRepair, Pruned, repair } from './repair.js';
import { rules } from './rules/index.js';
import type { Contract } from './types.js';
import { validateShape } from './validate.js';

export interface CompileResult {
  contract?: Contract;
  diagnostics: Diagnostic[];
  /** Absolute paths of the other files the result depends on (the env files it read), for ./cache.ts. */
  inputs: string[];
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
  if (!read.ok) return { diagnostics: read.diagnostics, inputs: [] };
  const { source, data } = read;
  const shape = validateShape(data, source);
  let value = shape.value;
  let pruned = new Pruned();
  if (!value) {
    const repaired = shape.errors.length > 0 ? repair(data as object, shape.errors) : undefined;
    if (!repaired) return { diagnostics: shape.diagnostics, inputs: [] };
    ({ value, pruned } = repaired);
  }
  const { draft, diagnostics } = normalize(value, { file: absFile, root: dirname(absFile), source, env, pruned });
  const { contract } = draft;
  const inputs = contract.envFiles.map((f) => (isAbsolute(f.path) ? f.path : resolve(contract.root, f.path)));
  for (const s of Object.values(contract.services)) {
    const origins = draft.origins.dependsOn[s.name] ?? [];
    s.dependsOn.forEach((dep, i) => {
      if (!origins[i]?.explicit) dep.condition = defaultCondition(contract.services[dep.service]);
    });
  }
  for (const rule of rules) diagnostics.push(...rule.check(draft));
  const all = unique([...shape.diagnostics, ...afterRepair(diagnostics, pruned, source)]);
  sortDiagnostics(all);
  if (hasErrors(all)) return { diagnostics: all, inputs };
  contract.startOrder = startOrder(contract.services);
  return { contract, diagnostics: all, inputs };
}

function unique(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const key = `${d.line}:${d.column}:${d.code}:${d.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Errors before warnings, then by position, so output reads top to bottom. */
function sortDiagnostics(ds: Diagnostic[]): void {
  ds.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}
