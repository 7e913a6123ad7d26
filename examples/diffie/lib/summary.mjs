/**
 * The worker's computation, kept pure so the unit suite can test it without a database: word
 * statistics of a project's name and description.
 */

const STOP_WORDS = new Set([
  'a',
  'an',
  'and',
  'the',
  'of',
  'to',
  'in',
  'on',
  'for',
  'is',
  'it',
  'with',
  'by',
  'or',
  'at',
]);

/** Words of `text`: lower-cased runs of letters, digits and apostrophes (Unicode aware). */
export function words(text) {
  return (text.toLowerCase().match(/[\p{L}\p{N}']+/gu) ?? []).map((w) => w.replace(/^'+|'+$/g, '')).filter(Boolean);
}

/**
 * `{ wordCount, uniqueWords, topWords }` where topWords are the (at most) `top` most frequent
 * non-stop words, ties broken alphabetically so the result is deterministic.
 */
export function summarize(name, description, top = 5) {
  const all = words(`${name} ${description}`);
  const counts = new Map();
  for (const w of all) if (!STOP_WORDS.has(w)) counts.set(w, (counts.get(w) ?? 0) + 1);
  const topWords = [...counts.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
    .slice(0, top)
    .map(([word, count]) => ({ word, count }));
  return { wordCount: all.length, uniqueWords: new Set(all).size, topWords };
}
