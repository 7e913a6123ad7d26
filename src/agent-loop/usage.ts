/**
 * Token usage as the agent CLIs report it, without inventing numbers: a count the CLI did not
 * report, or reported malformed (a string, a negative or fractional count, a number JSON cannot
 * hold), is absent — unknown is not 0. Sums count only the numbers that are there.
 */
import type { Usage } from './types.js';

const FIELDS = ['input', 'output', 'cacheRead', 'cacheWrite', 'costUsd'] as const;

/** A token count: a non-negative safe integer, else undefined. */
export function tokenCount(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : undefined;
}

/** A cost in USD: a non-negative finite number, else undefined. */
export function costUsd(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** The sum of the counts that are known; undefined when none is. */
export function sumKnown(...values: Array<number | undefined>): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length > 0 ? known.reduce((a, b) => a + b, 0) : undefined;
}

/** A Usage holding only the fields that are known; undefined when none is. */
export function makeUsage(fields: Record<keyof Usage, number | undefined>): Usage | undefined {
  const u: Usage = {};
  for (const k of FIELDS) {
    const v = fields[k];
    if (v !== undefined) u[k] = v;
  }
  return Object.keys(u).length > 0 ? u : undefined;
}

/** Field by field: a field is in the sum when either side knows it. */
export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!a) return b ? { ...b } : undefined;
  if (!b) return { ...a };
  return makeUsage({
    input: sumKnown(a.input, b.input),
    output: sumKnown(a.output, b.output),
    cacheRead: sumKnown(a.cacheRead, b.cacheRead),
    cacheWrite: sumKnown(a.cacheWrite, b.cacheWrite),
    costUsd: sumKnown(a.costUsd, b.costUsd),
  });
}

/** `tokens in 48211 out 2210` with only what is known (prompt size = fresh + cached input); '' when nothing is. */
export function describeUsage(u: Usage | undefined): string {
  if (!u) return '';
  const prompt = sumKnown(u.input, u.cacheRead);
  const parts = [prompt !== undefined ? `in ${prompt}` : '', u.output !== undefined ? `out ${u.output}` : ''];
  const text = parts.filter(Boolean).join(' ');
  return text ? `tokens ${text}` : '';
}
