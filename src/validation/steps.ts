/**
 * One declarative step against a page. Each step knows how to describe itself (target, expectation)
 * and, when it fails, looks at the page to say what was there instead — "no element matches
 * button#create" beats "Timeout 10000ms exceeded".
 */
import type { Page } from 'playwright-core';
import type { ScenarioStep } from '../contract/index.js';

/** Click, fill and press wait this long for their element; wait_for/expect carry their own timeout. */
export const ACTION_TIMEOUT_MS = 10_000;
const NAVIGATION_TIMEOUT_MS = 30_000;

export interface StepContext {
  page: Page;
  /** Resolves a contract template (`${…}` references) for this instance. */
  resolve: (template: string) => string;
  /** Relative URLs in goto/expect resolve against the current page, or this before the first load. */
  baseUrl: string;
  /** Clamp a step's timeout to what is left of the scenario's own time limit. */
  clamp: (timeoutMs: number) => number;
  /** Take a screenshot for a `screenshot` step; returns its run-relative path. */
  screenshot: (name: string, fullPage: boolean) => Promise<string>;
}

/** A step that ran and did not get what it expected. */
export class StepMismatch extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`expected ${expected}, but ${actual}`);
  }
}

/** What the step acts on, with templates resolved when they can be (the raw template otherwise). */
export function stepTarget(step: ScenarioStep, resolve: (t: string) => string = (t) => t): string {
  const r = (t: string) => {
    try {
      return resolve(t);
    } catch {
      return t;
    }
  };
  switch (step.action) {
    case 'goto':
      return r(step.url);
    case 'click':
      return step.selector;
    case 'fill':
      return `${step.selector} ← ${JSON.stringify(r(step.value))}`;
    case 'press':
      return step.selector ? `${step.key} in ${step.selector}` : step.key;
    case 'wait_for':
      return step.text !== undefined ? `text ${JSON.stringify(r(step.text))}` : `${step.selector ?? ''}`;
    case 'expect':
      if (step.text !== undefined) return `text ${JSON.stringify(r(step.text))}`;
      if (step.visible !== undefined) return `visible ${step.visible}`;
      return `url ${r(step.url ?? '')}`;
    case 'screenshot':
      return step.name;
  }
}

function expectation(step: ScenarioStep, ctx: StepContext): string {
  const resolve = ctx.resolve;
  switch (step.action) {
    case 'goto':
      return `${absolute(resolve(step.url), ctx)} to load with HTTP status < 400`;
    case 'click':
      return `one visible, enabled element matching ${step.selector} to click`;
    case 'fill':
      return `one editable element matching ${step.selector}`;
    case 'press':
      return step.selector
        ? `one element matching ${step.selector} to press ${step.key} in`
        : `key ${step.key} to be pressed`;
    case 'wait_for':
    case 'expect':
      if (step.text !== undefined)
        return `text ${JSON.stringify(resolve(step.text))} visible on the page within ${step.timeoutMs} ms`;
      if (step.action === 'wait_for' || step.visible !== undefined) {
        const sel = step.action === 'wait_for' ? step.selector : step.visible;
        return `an element matching ${sel ?? ''} visible within ${step.timeoutMs} ms`;
      }
      return `the page URL to match ${resolve(step.url ?? '')} within ${step.timeoutMs} ms`;
    case 'screenshot':
      return 'a screenshot of the page';
  }
}

function absolute(url: string, ctx: StepContext): string {
  const current = ctx.page.url();
  return new URL(url, current.startsWith('http') ? current : ctx.baseUrl).toString();
}

/** Glob (`*` = anything), path-only (`/items?x=1`), or a full URL compared after normalising. */
export function urlMatches(pattern: string, actual: string, base: string): boolean {
  if (pattern.includes('*')) {
    const re = new RegExp(
      '^' +
        pattern
          .split('*')
          .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
          .join('.*') +
        '$',
    );
    return re.test(actual);
  }
  try {
    const a = new URL(actual);
    if (pattern.startsWith('/')) return a.pathname + a.search === pattern || a.pathname === pattern;
    return new URL(pattern, base).toString() === a.toString();
  } catch {
    return false;
  }
}

/** Run one step; throws StepMismatch (expected vs seen) or the browser's own error. */
export async function runStep(step: ScenarioStep, ctx: StepContext): Promise<{ screenshot?: string }> {
  const { page } = ctx;
  const expected = expectation(step, ctx);
  try {
    switch (step.action) {
      case 'goto': {
        const url = absolute(ctx.resolve(step.url), ctx);
        const response = await page.goto(url, { waitUntil: 'load', timeout: ctx.clamp(NAVIGATION_TIMEOUT_MS) });
        if (response && response.status() >= 400) {
          throw new StepMismatch(expected, `the server answered HTTP ${response.status()} ${response.statusText()}`);
        }
        return {};
      }
      case 'click':
        await page.locator(step.selector).click({ timeout: ctx.clamp(ACTION_TIMEOUT_MS) });
        return {};
      case 'fill':
        await page.locator(step.selector).fill(ctx.resolve(step.value), { timeout: ctx.clamp(ACTION_TIMEOUT_MS) });
        return {};
      case 'press':
        if (step.selector) await page.locator(step.selector).press(step.key, { timeout: ctx.clamp(ACTION_TIMEOUT_MS) });
        else await page.keyboard.press(step.key);
        return {};
      case 'wait_for':
      case 'expect': {
        // Texts are templates like fill values, so a step can expect what an earlier one typed.
        const timeout = ctx.clamp(step.timeoutMs);
        if (step.text !== undefined) {
          // Text may legitimately appear twice (a list and a toast): any visible occurrence counts.
          await page.getByText(ctx.resolve(step.text)).first().waitFor({ state: 'visible', timeout });
        } else if (step.action === 'wait_for' ? step.selector !== undefined : step.visible !== undefined) {
          const selector = (step.action === 'wait_for' ? step.selector : step.visible) ?? '';
          await page.locator(selector).first().waitFor({ state: 'visible', timeout });
        } else if (step.action === 'expect' && step.url !== undefined) {
          const pattern = ctx.resolve(step.url);
          await page.waitForURL((u) => urlMatches(pattern, u.toString(), ctx.baseUrl), {
            timeout,
            waitUntil: 'commit',
          });
        }
        return {};
      }
      case 'screenshot':
        return { screenshot: await ctx.screenshot(step.name, step.fullPage) };
    }
  } catch (error) {
    if (error instanceof StepMismatch) throw error;
    throw new StepMismatch(expected, await observe(step, page, error));
  }
}

/** First line of a Playwright error, without its call log and colour codes. */
export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: strips ANSI colour codes
  return (text.replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0] ?? '').trim();
}

async function visibleText(page: Page): Promise<string> {
  try {
    const text = await page.locator('body').innerText({ timeout: 1000 });
    const flat = text.replace(/\s+/g, ' ').trim();
    return flat.length > 240 ? `${flat.slice(0, 240)}…` : flat;
  } catch {
    return '';
  }
}

async function describeMatches(page: Page, selector: string, error: unknown): Promise<string> {
  let count: number;
  try {
    count = await page.locator(selector).count();
  } catch {
    return `the selector is not valid: ${firstLine(error)}`;
  }
  if (count === 0) return `no element matches ${selector} on ${page.url()}`;
  if (count > 1 && /strict mode violation/i.test(firstLine(error)))
    return `${count} elements match ${selector}; make the selector specific to one`;
  const visible = await page
    .locator(selector)
    .first()
    .isVisible()
    .catch(() => false);
  if (!visible)
    return `${count === 1 ? 'the element' : `${count} elements`} matching ${selector} ${count === 1 ? 'is' : 'are'} hidden`;
  return firstLine(error);
}

/** Look at the page after a failure and say, in one line, what was there instead. */
async function observe(step: ScenarioStep, page: Page, error: unknown): Promise<string> {
  if (page.isClosed()) return `the page was closed (${firstLine(error)})`;
  switch (step.action) {
    case 'goto':
      return firstLine(error);
    case 'click':
    case 'fill':
      return describeMatches(page, step.selector, error);
    case 'press':
      return step.selector ? describeMatches(page, step.selector, error) : firstLine(error);
    case 'wait_for':
    case 'expect': {
      if (step.text !== undefined) {
        const shown = await visibleText(page);
        return `the text did not appear; the page shows: ${JSON.stringify(shown)}`;
      }
      const selector = step.action === 'wait_for' ? step.selector : step.visible;
      if (selector !== undefined) return describeMatches(page, selector, error);
      return `the page is at ${page.url()}`;
    }
    case 'screenshot':
      return firstLine(error);
  }
}
