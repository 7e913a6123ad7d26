/** The JUnit counter against reports real runners write (node --test's is produced live here). */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addCounts, countJunit } from '../../src/test-suites/junit.js';
import { newRunId, RUN_ID_RE } from '../../src/test-suites/run-id.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'factory-junit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('countJunit', () => {
  it("counts node --test's own JUnit report: passed, failed with message, skipped, nested suites", async () => {
    writeFileSync(
      join(dir, 'x.test.mjs'),
      `import { test, describe } from 'node:test';
       import assert from 'node:assert';
       describe('group', () => {
         test('bad', () => assert.equal(1, 2));
         test('skipped', { skip: true }, () => {});
         test('good', () => {});
       });
       test('top <level> & "quoted"', () => {});`,
    );
    const report = join(dir, 'report.xml');
    await promisify(execFile)(
      process.execPath,
      ['--test', '--test-reporter=junit', `--test-reporter-destination=${report}`, 'x.test.mjs'],
      {
        cwd: dir,
      },
    ).catch(() => undefined); // exits 1: one test fails
    const counts = countJunit(readFileSync(report, 'utf8'));
    expect(counts).toMatchObject({ tests: 4, passed: 2, failed: 1, skipped: 1 });
    expect(counts.failures).toEqual([{ name: 'bad', message: '1 == 2' }]);
  });

  it('reads the Surefire/pytest dialect: classname, <error>, self-closing cases, CDATA', () => {
    const xml = `<?xml version="1.0"?>
      <testsuite name="s" tests="4">
        <testcase classname="pkg.A" name="ok"/>
        <testcase classname="pkg.A" name="boom"><error message="NullPointer &amp; co"><![CDATA[<testcase name="fake"/>]]></error></testcase>
        <testcase classname="pkg.B" name="later"><skipped/></testcase>
        <!-- <testcase name="commented"/> -->
        <testcase classname="pkg.B" name="fine"></testcase>
      </testsuite>`;
    const counts = countJunit(xml);
    expect(counts).toMatchObject({ tests: 4, passed: 2, failed: 1, skipped: 1 });
    expect(counts.failures).toEqual([{ name: 'pkg.A › boom', message: 'NullPointer & co' }]);
  });

  it('an empty report counts nothing, and counts add up', () => {
    const none = countJunit('<testsuites></testsuites>');
    expect(none).toEqual({ tests: 0, passed: 0, failed: 0, skipped: 0, failures: [] });
    const one = countJunit('<testcase name="a"><failure message="m"/></testcase>');
    expect(addCounts(none, one)).toEqual({
      tests: 1,
      passed: 0,
      failed: 1,
      skipped: 0,
      failures: [{ name: 'a', message: 'm' }],
    });
  });
});

describe('newRunId', () => {
  it('is test-<worktree>-<UTC timestamp>-<4 hex> and differs between runs', () => {
    const id = newRunId('feature-1', new Date('2026-11-23T16:48:05.123Z'));
    expect(id).toMatch(/^test-feature-1-20261123T164805Z-[0-9a-f]{4}$/);
    expect(id).toMatch(RUN_ID_RE);
    const ids = new Set(Array.from({ length: 20 }, () => newRunId('a')));
    expect(ids.size).toBeGreaterThan(1);
  });
});
