/**
 * Hostile values for every option of every command: exit 2 with a message that names the option,
 * before the command runs. The options are read from the command registry (src/commands/index.ts),
 * so a new command or option is covered without touching this file; a new free-text option must be
 * named in the list below (or given a rule in FLAG_RULES), so nothing numeric slips through unchecked.
 */
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ArgsDef, CommandDef } from 'citty';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CommandName, commands } from '../../src/commands/index.js';
import { checkArgv, FLAG_RULES, MULTILINE, REPEATABLE, type ValueRule } from '../../src/commands/ui/options.js';
import { isFactoryFailure } from '../../src/lib/failure.js';
import { runFactory } from '../helpers/cli.js';

interface Leaf {
  path: string;
  defs: ArgsDef;
}

async function resolved<T>(v: T | Promise<T> | (() => T | Promise<T>)): Promise<T> {
  return typeof v === 'function' ? await (v as () => T | Promise<T>)() : await v;
}

/** Every command and subcommand with its declared options. */
async function allCommands(): Promise<Leaf[]> {
  const out: Leaf[] = [];
  const walk = async (cmd: CommandDef, path: string[]) => {
    out.push({ path: path.join(' '), defs: (await resolved(cmd.args)) ?? {} });
    const subs = await resolved(cmd.subCommands);
    for (const [name, sub] of Object.entries(subs ?? {})) await walk(await resolved(sub), [...path, name]);
  };
  for (const [name, lazy] of Object.entries(commands)) await walk(await lazy(), [name]);
  return out;
}

const noSuggestion = async () => undefined;

/** The FactoryFailure `checkArgv` throws for `argv`, or undefined when it accepts it. */
async function refusal(leaf: Leaf, argv: string[]) {
  try {
    await checkArgv(leaf.path, leaf.defs, argv, noSuggestion);
    return undefined;
  } catch (error) {
    if (!isFactoryFailure(error)) throw error;
    return error;
  }
}

const stringOptions = (leaf: Leaf) =>
  Object.entries(leaf.defs)
    .filter(([, d]) => d.type === 'string')
    .map(([name]) => name);
const booleanOptions = (leaf: Leaf) =>
  Object.entries(leaf.defs)
    .filter(([, d]) => d.type === 'boolean')
    .map(([name]) => name);

let leaves: Leaf[] = [];
beforeAll(async () => {
  leaves = await allCommands();
});

/** Values no option accepts: empty, or nothing but blanks. */
const blank = fc
  .array(fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2028', '\ufeff'), { maxLength: 6 })
  .map((a) => a.join(''));
/** A one-line option never takes a control character. */
const withControl = fc
  .tuple(fc.string({ maxLength: 10 }), fc.integer({ min: 0, max: 31 }), fc.string({ maxLength: 10 }))
  .map(([a, c, b]) => `${a}${String.fromCharCode(c)}${b}`);
const notANumber = fc.constantFrom(
  'abc',
  '0x10',
  '1e3',
  '+5',
  ' 5',
  '5 ',
  '5.',
  '.5',
  'NaN',
  'Infinity',
  '٣',
  '５',
  '-',
);

/** Values that break `rule`, built by construction (not by asking the rule). */
function breaking(rule: ValueRule): fc.Arbitrary<string> {
  switch (rule.kind) {
    case 'integer':
      return fc.oneof(
        notANumber,
        fc.integer({ max: -1 }).map(String),
        fc.integer({ min: (rule.max ?? 0) + 1, max: 2 ** 40 }).map(String),
        fc.integer({ min: 0, max: 1000 }).map((n) => `${n}.5`),
        ...(rule.min !== undefined && rule.min > 0 ? [fc.constant(String(rule.min - 1))] : []),
      );
    case 'seconds':
      return fc.oneof(
        notANumber,
        fc.constantFrom('0', '0.0', '-1', '10s', '604801', '1e9'),
        fc.integer({ max: -1 }).map(String),
      );
    case 'duration':
      return fc.oneof(
        notANumber,
        fc.constantFrom('0', '0s', '0ms', '-1s', '5d', '169h', '1 h', 'soon', '10M', '1e3s', '604801'),
      );
    case 'choice':
      return fc.string({ maxLength: 12 }).filter((v) => !rule.ok(v) && v.trim() !== '');
    case 'id':
      return fc.oneof(
        fc.constantFrom('../x', '.hidden', '-x', 'a/b', 'a b', `${'a'.repeat(65)}`, 'é', '~'),
        fc.string({ minLength: 1, maxLength: 8 }).map((s) => `/${s}`),
      );
  }
}

describe('every option of every command refuses hostile values (property)', () => {
  it('the registry is read: every command is there with its options', () => {
    const names = new Set(leaves.map((l) => l.path.split(' ')[0]));
    expect([...names].sort()).toEqual(Object.keys(commands).sort());
    expect(leaves.find((l) => l.path === 'agent run')).toBeDefined();
  });

  it('an empty or blank value is an error, never "not given"', async () => {
    const pairs = leaves.flatMap((l) => stringOptions(l).map((o) => [l, o] as const));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...pairs), blank, fc.boolean(), async ([leaf, option], value, inline) => {
        const argv = inline ? [`--${option}=${value}`] : [`--${option}`, value];
        const r = await refusal(leaf, argv);
        expect(r?.exitCode, `${leaf.path} ${JSON.stringify(argv)}`).toBe(2);
        expect(r?.message).toBe(`--${option} needs a value (got ${JSON.stringify(value)})`);
      }),
      { numRuns: 300 },
    );
  });

  it('a control character in a one-line value is an error', async () => {
    const pairs = leaves.flatMap((l) =>
      stringOptions(l)
        .filter((o) => !MULTILINE.has(o))
        .map((o) => [l, o] as const),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...pairs), withControl, async ([leaf, option], value) => {
        const r = await refusal(leaf, [`--${option}`, value]);
        expect(r?.exitCode, `${leaf.path} --${option} ${JSON.stringify(value)}`).toBe(2);
        expect(r?.message).toMatch(new RegExp(`^--${option} `));
      }),
      { numRuns: 300 },
    );
  });

  it('a value that breaks the flag rule is an error naming the flag, with a hint that itself works', async () => {
    const pairs = leaves.flatMap((l) =>
      stringOptions(l)
        .filter((o) => FLAG_RULES[o])
        .map((o) => [l, o, FLAG_RULES[o] as ValueRule] as const),
    );
    expect(pairs.length).toBeGreaterThan(10);
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...pairs).chain((p) => breaking(p[2]).map((v) => [p, v] as const)),
        async ([[leaf, option], value]) => {
          const r = await refusal(leaf, [`--${option}`, value]);
          expect(r?.exitCode, `${leaf.path} --${option} ${JSON.stringify(value)}`).toBe(2);
          expect(r?.message).toMatch(new RegExp(`^--${option} (must be|needs a value)`));
          // The hint's example is a valid value: running it is accepted.
          const example = /for example (--\S+) (\S+)/.exec(r?.hint ?? '');
          if (example) expect(await refusal(leaf, [example[1] as string, example[2] as string])).toBeUndefined();
        },
      ),
      { numRuns: 500 },
    );
  });

  it('values in range are accepted', async () => {
    const ok: Record<ValueRule['kind'], (r: ValueRule) => fc.Arbitrary<string>> = {
      integer: (r) => fc.integer({ min: r.min ?? 0, max: r.max ?? 0 }).map(String),
      seconds: () => fc.integer({ min: 1, max: 604_800 }).map(String),
      duration: () =>
        fc.oneof(
          fc.integer({ min: 1, max: 604_800 }).map((n) => `${n}s`),
          fc.integer({ min: 1, max: 168 }).map((n) => `${n}h`),
          fc.integer({ min: 1, max: 10_080 }).map((n) => `${n}m`),
        ),
      choice: (r) => fc.constant(r.example),
      id: () => fc.stringMatching(/^[a-z0-9][a-z0-9_.-]{0,20}$/),
    };
    const pairs = leaves.flatMap((l) =>
      stringOptions(l)
        .filter((o) => FLAG_RULES[o])
        .map((o) => [l, o, FLAG_RULES[o] as ValueRule] as const),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...pairs).chain((p) => ok[p[2].kind](p[2]).map((v) => [p, v] as const)),
        async ([[leaf, option], value]) => {
          expect(await refusal(leaf, [`--${option}`, value]), `${leaf.path} --${option} ${value}`).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('a missing value, --no-X of a valued option, --flag=junk and a one-value option given twice are errors', async () => {
    for (const leaf of leaves) {
      for (const option of stringOptions(leaf)) {
        const at = `${leaf.path} --${option}`;
        expect((await refusal(leaf, [`--${option}`]))?.message, at).toBe(`--${option} needs a value`);
        expect((await refusal(leaf, [`--no-${option}`]))?.exitCode, at).toBe(2);
        const other = booleanOptions(leaf)[0];
        if (other)
          expect((await refusal(leaf, [`--${option}`, `--${other}`]))?.message, at).toBe(
            `--${option} needs a value (got the option --${other})`,
          );
        if (!REPEATABLE.has(option) && FLAG_RULES[option]) {
          const v = FLAG_RULES[option]?.example as string;
          expect((await refusal(leaf, [`--${option}`, v, `--${option}`, v]))?.exitCode, at).toBe(2);
        }
      }
      for (const option of booleanOptions(leaf)) {
        const r = await refusal(leaf, [`--${option}=yes`]);
        expect(r?.message, `${leaf.path} --${option}=yes`).toBe(
          `--${option} is an on/off flag and takes no value (got "yes")`,
        );
        expect(await refusal(leaf, [`--${option}=false`])).toBeUndefined();
      }
      if (!Object.values(leaf.defs).some((d) => d.type === 'positional') && leaf.path !== 'agent')
        expect((await refusal(leaf, ['stray']))?.message).toBe(`factory ${leaf.path} takes no arguments (got "stray")`);
    }
  });

  it('an argument (a service or suite name, a job id) that is empty or has a control character is an error', async () => {
    const all = leaves.filter((l) => Object.values(l.defs).some((d) => d.type === 'positional'));
    expect(all.map((l) => l.path).sort()).toEqual([
      'job approve',
      'job cancel',
      'job close',
      'job logs',
      'job new',
      'job retry',
      'job run',
      'job show',
      'job sync',
      'logs',
      'restart',
      'start',
      'test',
    ]);
    // A job's request is free text that may span lines (below: only a blank one is refused).
    const requests = ['job new', 'job run'];
    const takers = all.filter((l) => !requests.includes(l.path));
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...all.filter((l) => requests.includes(l.path))), blank, async (leaf, value) => {
        const r = await refusal(leaf, [value]);
        if (value.startsWith('-')) return;
        expect(r?.message, `${leaf.path} ${JSON.stringify(value)}`).toBe(
          `factory ${leaf.path} got an empty or unprintable argument (got ${JSON.stringify(value)})`,
        );
      }),
      { numRuns: 50 },
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...takers), fc.oneof(blank, withControl), async (leaf, value) => {
        const r = await refusal(leaf, [value]);
        expect(r?.exitCode, `${leaf.path} ${JSON.stringify(value)}`).toBe(2);
        // (One that starts with "-" is read as an unknown option instead.)
        if (!value.startsWith('-'))
          expect(r?.message).toBe(
            `factory ${leaf.path} got an empty or unprintable argument (got ${JSON.stringify(value)})`,
          );
        expect(r?.message).not.toMatch(/\p{Cc}/u);
      }),
      { numRuns: 200 },
    );
  });

  it('every option that takes a value is either free text (listed here) or has a rule', () => {
    const free = [...new Set(leaves.flatMap((l) => stringOptions(l).filter((o) => !FLAG_RULES[o])))].sort();
    expect(free).toEqual([
      'agent',
      'approval-path',
      'arg',
      'backlog',
      'backlog-dir',
      'base',
      'base-branch',
      'branch',
      'command',
      'completion-signal',
      'config',
      'copy',
      'env',
      'feature',
      'file',
      'host',
      'log-file',
      'model',
      'mount',
      'name',
      'only',
      'output-schema',
      'output-tag',
      'planner-agent',
      'planner-model',
      'prompt',
      'prompt-file',
      'public-url',
      'remote',
      'repo',
      'repo-url',
      'resume',
      'reviewer-agent',
      'reviewer-model',
      'sandbox',
      'scenario',
      'state',
      'store',
      'test',
      'webhook-listen',
      'webhook-url',
    ]);
  });

  it('a short flag means one thing in every command (-f is --file, except logs where it is --follow)', () => {
    const meaning = new Map<string, Set<string>>();
    for (const leaf of leaves) {
      const seen = new Set<string>();
      for (const [name, def] of Object.entries(leaf.defs)) {
        const aliases = 'alias' in def && def.alias !== undefined ? [def.alias].flat() : [];
        for (const a of aliases.filter((x) => x.length === 1)) {
          expect(seen.has(a), `${leaf.path}: -${a} is declared twice`).toBe(false);
          seen.add(a);
          if (!((leaf.path === 'logs' || leaf.path === 'job logs') && a === 'f'))
            meaning.set(a, new Set([...(meaning.get(a) ?? []), name]));
        }
      }
    }
    for (const [a, names] of meaning) expect([...names], `-${a}`).toHaveLength(1);
    expect([...(meaning.get('f') ?? [])]).toEqual(['file']);
  });
});

/** One hostile call per option of every command, run through the real binary. */
describe('the real binary: an empty value for each option exits 2 before the command runs', {
  timeout: 240_000,
}, () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'factory-options-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const perCommand: Record<CommandName, true> = {
    router: true,
    bot: true,
    serve: true,
    doctor: true,
    job: true,
    worker: true,
    restart: true,
    mcp: true,
    check: true,
    config: true,
    init: true,
    start: true,
    status: true,
    urls: true,
    logs: true,
    stop: true,
    clean: true,
    ps: true,
    env: true,
    setup: true,
    test: true,
    validate: true,
    agent: true,
  };
  /** Run `fn` over `items`, `width` at a time (each one spawns the binary). */
  async function pool<T>(items: T[], width: number, fn: (item: T) => Promise<void>): Promise<void> {
    const queue = [...items];
    await Promise.all(
      Array.from({ length: width }, async () => {
        for (let item = queue.shift(); item !== undefined; item = queue.shift()) await fn(item);
      }),
    );
  }

  for (const name of Object.keys(perCommand)) {
    it(`factory ${name} …: --X "" and a bad number exit 2, nothing is created`, async () => {
      const mine = leaves.filter((l) => l.path === name || l.path.startsWith(`${name} `));
      // Each option once per command (agent run and agent interactive share most of theirs).
      const seen = new Set<string>();
      const calls = mine.flatMap((leaf) =>
        stringOptions(leaf)
          .filter((o) => !seen.has(o) && seen.add(o))
          .map((option) => [leaf, option] as const),
      );
      await pool(calls, 4, async ([leaf, option]) => {
        const argv = [...leaf.path.split(' '), `--${option}`, ''];
        const r = await runFactory(argv, { cwd: dir });
        expect(r.stderr.split('\n')[0], argv.join(' ')).toBe(`error --${option} needs a value (got "")`);
        expect(r.stderr).not.toMatch(/^\s+at /m);
        expect(r.code).toBe(2);
        const rule = FLAG_RULES[option];
        if (rule?.kind === 'integer') {
          const bad = await runFactory([...leaf.path.split(' '), `--${option}`, String((rule.max ?? 0) + 1)], {
            cwd: dir,
          });
          expect(bad.code).toBe(2);
          expect(bad.stderr).toMatch(new RegExp(`^error --${option} must be a whole number`));
        }
      });
      expect(readdirSync(dir)).toEqual([]);
      // Two spawns per option of every subcommand: `job` and `agent` have dozens, on 2 loaded cores.
    }, 240_000);
  }
});

describe('start refuses a port block that does not fit below 65536, before creating anything', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'factory-port-range-'));
    writeFileSync(
      join(dir, 'factory.yaml'),
      'name: edge\nisolation: { port_range_size: 10 }\nports: [web]\nservices:\n  web:\n    command: [sleep, "100"]\n    port: web\n',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('--port-range 65530 with a block of 10: exit 2, the largest base in the hint, no instance folder', async () => {
    const r = await runFactory(['start', '--worktree-id', 'edge', '--port-range', '65530'], { cwd: dir });
    expect(r.stderr).toBe(
      "error --port-range 65530 does not leave room for this contract's block of 10 ports: it would end at 65539, past 65535\n" +
        '  hint: use a base from 1 to 65526 (isolation.port_range_size is 10)\n',
    );
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toEqual(['factory.yaml']);
  });

  it('--port-range 70000: exit 2 from the argument check; start --foreground alike', async () => {
    for (const extra of [[], ['--foreground']]) {
      const r = await runFactory(['start', ...extra, '--port-range', '70000'], { cwd: dir });
      expect(r.code).toBe(2);
      expect(r.stderr.split('\n')[0]).toBe('error --port-range must be a whole number from 1 to 65535 (got "70000")');
    }
    const fg = await runFactory(['start', '--foreground', '--port-range', '65530'], { cwd: dir });
    expect(fg.code).toBe(2);
    expect(readdirSync(dir)).toEqual(['factory.yaml']);
  });

  it('an unknown service: exit 2, no instance folder', async () => {
    const r = await runFactory(['start', 'nosuch'], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr.split('\n')[0]).toBe(`error no service "nosuch" in ${join(dir, 'factory.yaml')}`);
    expect(readdirSync(dir)).toEqual(['factory.yaml']);
  });
});
