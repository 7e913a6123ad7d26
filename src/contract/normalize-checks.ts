/**
 * Stage 3, what checks the app: `tests` suites and browser `validation` scenarios.
 */
import { DEFAULTS } from './defaults.js';
import type { Normalizer } from './normalize.js';
import type { FactoryYaml, StepYaml } from './schema.js';
import type { DataPath } from './source.js';
import type { Scenario, ScenarioStep, TestSuite, ValidationSpec } from './types.js';

export function normalizeTests(n: Normalizer, y: FactoryYaml): Record<string, TestSuite> {
  const out: Record<string, TestSuite> = {};
  for (const [name, t] of Object.entries(y.tests ?? {})) {
    const path: DataPath = ['tests', name];
    if (Array.isArray(t)) {
      out[name] = {
        name,
        commands: t.map((c, i) => n.command(c, [...path, i])),
        needs: [],
        cwd: '.',
        env: {},
        timeoutMs: DEFAULTS.testTimeoutMs,
        reports: [],
        source: n.source.location(path),
      };
      continue;
    }
    const env = n.env(t.env, [...path, 'env'], `tests.${name}`);
    const scope = Object.keys(env);
    // The schema admits exactly one of command and commands.
    const commands = [];
    if (t.command !== undefined) commands.push(n.command(t.command, [...path, 'command'], scope));
    (t.commands ?? []).forEach((c, i) => {
      commands.push(n.command(c, [...path, 'commands', i], scope));
    });
    (t.needs ?? []).forEach((s, i) => {
      n.origins.needs.push({ service: s, path: [...path, 'needs', i] });
    });
    out[name] = {
      name,
      commands,
      needs: t.needs ?? [],
      cwd: t.cwd === undefined ? '.' : n.template(t.cwd, [...path, 'cwd'], scope),
      env,
      timeoutMs: n.duration(t.timeout, DEFAULTS.testTimeoutMs),
      reports: t.reports ?? [],
      source: n.source.location(path),
    };
  }
  return out;
}

export function normalizeValidation(n: Normalizer, y: FactoryYaml, serviceNames: string[]): ValidationSpec | undefined {
  const v = y.validation;
  if (!v) return undefined;
  const b = v.browser ?? {};
  const startUrl =
    b.start_url === undefined ? undefined : n.template(b.start_url, ['validation', 'browser', 'start_url']);
  const scenarios: Scenario[] = [];
  const seen = new Set<string>();
  (v.scenarios ?? []).forEach((s, i) => {
    const path: DataPath = ['validation', 'scenarios', i];
    if (seen.has(s.name)) n.error('duplicate-name', `two scenarios are named "${s.name}"`, [...path, 'name']);
    seen.add(s.name);
    const url = s.start_url === undefined ? startUrl : n.template(s.start_url, [...path, 'start_url']);
    if (url === undefined) {
      n.error(
        'missing-start-url',
        `scenario "${s.name}" has no start_url`,
        path,
        'add it to the scenario (or to validation.browser), e.g. "start_url: http://127.0.0.1:3000"',
      );
    }
    // The schema admits exactly one of steps and script.
    (s.needs ?? []).forEach((svc, j) => {
      n.origins.needs.push({ service: svc, path: [...path, 'needs', j] });
    });
    scenarios.push({
      name: s.name,
      ...(s.description !== undefined ? { description: s.description } : {}),
      startUrl: url ?? '',
      needs: s.needs ?? serviceNames,
      steps: (s.steps ?? []).flatMap((st, j) => normalizeStep(n, st, [...path, 'steps', j])),
      ...(s.script !== undefined ? { script: s.script } : {}),
      timeoutMs: n.duration(s.timeout, DEFAULTS.scenarioTimeoutMs),
      source: n.source.location(path),
    });
  });
  return {
    ...(startUrl !== undefined ? { startUrl } : {}),
    recordVideo: b.record_video ?? true,
    mp4: b.mp4 ?? false,
    viewport: b.viewport ?? { ...DEFAULTS.viewport },
    scenarios,
  };
}

const ACTIONS = ['goto', 'click', 'fill', 'press', 'wait_for', 'expect', 'screenshot'] as const;

function normalizeStep(n: Normalizer, st: StepYaml, path: DataPath): ScenarioStep[] {
  // The schema admits exactly one action per step.
  const present = ACTIONS.filter((a) => st[a] !== undefined);
  const name = st.name !== undefined ? { name: st.name } : {};
  const timeoutMs = (t: number | string | undefined) => n.duration(t, DEFAULTS.stepTimeoutMs);
  switch (present[0]) {
    case 'goto':
      return [{ action: 'goto', url: n.template(st.goto as string, [...path, 'goto']), ...name }];
    case 'click':
      return [{ action: 'click', selector: st.click as string, ...name }];
    case 'fill': {
      const f = st.fill as { selector: string; value: string };
      return [
        { action: 'fill', selector: f.selector, value: n.template(f.value, [...path, 'fill', 'value']), ...name },
      ];
    }
    case 'press': {
      const p = st.press as string | { key: string; selector?: string };
      return [
        typeof p === 'string'
          ? { action: 'press', key: p, ...name }
          : { action: 'press', key: p.key, ...(p.selector !== undefined ? { selector: p.selector } : {}), ...name },
      ];
    }
    case 'wait_for': {
      const w = st.wait_for as string | { text?: string; selector?: string; timeout?: number | string };
      // Texts are templates (validation resolves them per instance: ADR 0033), so their references are checked here.
      if (typeof w === 'string')
        return [
          { action: 'wait_for', text: n.template(w, [...path, 'wait_for']), timeoutMs: timeoutMs(undefined), ...name },
        ];
      return [
        {
          action: 'wait_for',
          ...(w.text !== undefined ? { text: n.template(w.text, [...path, 'wait_for', 'text']) } : {}),
          ...(w.selector !== undefined ? { selector: w.selector } : {}),
          timeoutMs: timeoutMs(w.timeout),
          ...name,
        },
      ];
    }
    case 'expect': {
      const e = st.expect as string | { text?: string; visible?: string; url?: string; timeout?: number | string };
      if (typeof e === 'string')
        return [
          { action: 'expect', text: n.template(e, [...path, 'expect']), timeoutMs: timeoutMs(undefined), ...name },
        ];
      return [
        {
          action: 'expect',
          ...(e.text !== undefined ? { text: n.template(e.text, [...path, 'expect', 'text']) } : {}),
          ...(e.visible !== undefined ? { visible: e.visible } : {}),
          ...(e.url !== undefined ? { url: n.template(e.url, [...path, 'expect', 'url']) } : {}),
          timeoutMs: timeoutMs(e.timeout),
          ...name,
        },
      ];
    }
    case 'screenshot': {
      const s = st.screenshot as string | { name: string; full_page?: boolean };
      return [
        typeof s === 'string'
          ? { action: 'screenshot', name: s, fullPage: false }
          : { action: 'screenshot', name: s.name, fullPage: s.full_page ?? false },
      ];
    }
    default:
      return [];
  }
}
