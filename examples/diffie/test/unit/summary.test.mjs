import assert from 'node:assert/strict';
import { test } from 'node:test';
import { summarize, words } from '../../lib/summary.mjs';

test('words are lower-cased runs of letters and digits, Unicode aware', () => {
  assert.deepEqual(words("Hello, WORLD! It's 2026 — café"), ['hello', 'world', "it's", '2026', 'café']);
  assert.deepEqual(words('  ...  '), []);
});

test('summary counts words, unique words and the most frequent non-stop words', () => {
  const s = summarize('Fox den', 'the quick brown fox jumps over the lazy dog; the fox wins');
  assert.equal(s.wordCount, 14);
  assert.equal(s.uniqueWords, 10);
  assert.deepEqual(s.topWords[0], { word: 'fox', count: 3 });
  assert.ok(!s.topWords.some((w) => w.word === 'the'), 'stop words are not top words');
});

test('ties are broken alphabetically so the summary is deterministic', () => {
  const s = summarize('', 'zeta alpha mid', 2);
  assert.deepEqual(s.topWords, [
    { word: 'alpha', count: 1 },
    { word: 'mid', count: 1 },
  ]);
});

test('an empty project has an empty summary', () => {
  assert.deepEqual(summarize('', ''), { wordCount: 0, uniqueWords: 0, topWords: [] });
});
