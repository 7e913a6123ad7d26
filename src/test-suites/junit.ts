/**
 * Counting a JUnit XML report: tests, failures (including errors), skipped, and the names and
 * messages of failed test cases. A small tag scanner rather than a DOM: reports can be large, and
 * only `<testcase>` and its `<failure>`/`<error>`/`<skipped>` children matter. It understands the
 * JUnit dialects of node --test, vitest, jest-junit, pytest and Surefire (all nest the same way).
 */

export interface JunitCounts {
  tests: number;
  passed: number;
  failed: number;
  skipped: number;
  /** Failed cases, at most `MAX_FAILURES` of them. */
  failures: { name: string; message: string }[];
}

const MAX_FAILURES = 20;
const TOKEN =
  /<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>|<\?[\s\S]*?\?>|<(\/?)([A-Za-z_][\w:.-]*)((?:\s+[^\s=>/]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(\/?)>/g;
const ATTR = /([^\s=]+)\s*=\s*(?:"([^"]*)"|'([^']*)')/g;

function attrs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(ATTR)) out[m[1] as string] = unescapeXml(m[2] ?? m[3] ?? '');
  return out;
}

function unescapeXml(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&#(\d+);/g, (_, d: string) => String.fromCodePoint(Number(d)))
    .replace(/&amp;/g, '&');
}

export function countJunit(xml: string): JunitCounts {
  const counts: JunitCounts = { tests: 0, passed: 0, failed: 0, skipped: 0, failures: [] };
  let current: { name: string; failed: boolean; skipped: boolean; message: string } | undefined;
  const close = () => {
    if (!current) return;
    counts.tests++;
    if (current.failed) {
      counts.failed++;
      if (counts.failures.length < MAX_FAILURES) counts.failures.push({ name: current.name, message: current.message });
    } else if (current.skipped) counts.skipped++;
    else counts.passed++;
    current = undefined;
  };
  for (const m of xml.matchAll(TOKEN)) {
    const [, slash, tag, attrText, selfClosing] = m;
    if (tag === undefined) continue; // comment, CDATA, declaration
    if (tag === 'testcase') {
      if (slash) close();
      else {
        close();
        const a = attrs(attrText ?? '');
        current = {
          name: a.classname && a.classname !== 'test' ? `${a.classname} › ${a.name ?? ''}` : (a.name ?? ''),
          failed: false,
          skipped: false,
          message: '',
        };
        if (selfClosing) close();
      }
    } else if (current && !slash && (tag === 'failure' || tag === 'error')) {
      current.failed = true;
      current.message ||= attrs(attrText ?? '').message ?? '';
    } else if (current && !slash && tag === 'skipped') {
      current.skipped = true;
    }
  }
  close();
  return counts;
}

/** Sum several reports' counts. */
export function addCounts(a: JunitCounts, b: JunitCounts): JunitCounts {
  return {
    tests: a.tests + b.tests,
    passed: a.passed + b.passed,
    failed: a.failed + b.failed,
    skipped: a.skipped + b.skipped,
    failures: [...a.failures, ...b.failures].slice(0, MAX_FAILURES),
  };
}
