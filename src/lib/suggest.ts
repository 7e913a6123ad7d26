/**
 * "Did you mean" for names: the closest candidate when it is close enough to be a typo. Short names
 * allow one edit (so "db" does not suggest "web"), longer ones a third of their length.
 */
import { closest, distance } from 'fastest-levenshtein';

export function suggest(name: string, candidates: readonly string[]): string | undefined {
  const pool = candidates.filter((c) => c !== name);
  if (pool.length === 0) return undefined;
  const best = closest(name, pool as string[]);
  const limit = name.length <= 4 ? 1 : Math.max(2, Math.floor(name.length / 3));
  return distance(name, best) <= limit ? best : undefined;
}
