/**
 * The schema of what checks the app (./schema.ts holds the rest): `tests` suites and browser
 * `validation` scenarios.
 */
import { Type, type Static } from '@sinclair/typebox';
import { ONE_OF, exactlyOne } from './one-of.js';
import { closed, CommandField, doc, Duration, EnvMap, required, StringList, TemplateString } from './schema-parts.js';

export const TestSuiteYaml = Type.Union(
  [
    Type.Array(CommandField('One command of the suite.', { defaultText: 'none', examples: ['npm test'] }), {
      minItems: 1,
      errorMessage: 'a test suite: a list of commands, or a mapping with command or commands',
    }),
    Type.Object(
      {
        command: Type.Optional(
          CommandField('The suite\'s one command (or use "commands").', {
            defaultText: 'none; one of command or commands is required',
            examples: ['pnpm exec playwright test', ['node', '--test']],
          }),
        ),
        commands: Type.Optional(
          Type.Array(CommandField('One command of the suite.', { defaultText: 'none', examples: ['npm test'] }), {
            minItems: 1,
            ...doc('Commands run in order (or use "command").', {
              defaultText: 'none; one of command or commands is required',
              examples: [['npm run lint', 'npm test']],
            }),
          }),
        ),
        needs: Type.Optional(
          StringList("Services `factory test` starts (and waits for) before the suite's commands.", {
            default: [],
            examples: [['web', 'api']],
          }),
        ),
        cwd: Type.Optional(
          TemplateString('Working directory, relative to the repository root.', {
            default: '.',
            examples: ['packages/web'],
          }),
        ),
        env: Type.Optional(
          EnvMap("The suite's own variables, over the contract's.", [{ BASE_URL: 'http://127.0.0.1:${WEB_PORT}' }]),
        ),
        timeout: Type.Optional(Duration('How long the suite may run.', { default: '30m', examples: ['15m'] })),
        reports: Type.Optional(
          StringList('Report files the suite writes (JUnit XML …), relative to cwd, collected as artifacts.', {
            default: [],
            examples: [['test-results/junit.xml']],
          }),
        ),
      },
      { ...closed, ...exactlyOne(ONE_OF.testSuite) },
    ),
  ],
  doc('A test suite: a list of commands, or a mapping with command(s), needs, env, timeout and reports.', {
    defaultText: 'none',
    examples: [['bun test'], { command: 'pnpm exec playwright test', needs: ['web'], timeout: '15m' }],
  }),
);

const WaitYaml = Type.Union(
  [
    Type.String({ minLength: 1 }),
    Type.Object(
      {
        text: Type.Optional(TemplateString('Text to wait for.', { defaultText: 'none', examples: ['Welcome'] })),
        selector: Type.Optional(
          Type.String({
            minLength: 1,
            ...doc('A selector to wait for.', { defaultText: 'none', examples: ['.done'] }),
          }),
        ),
        timeout: Type.Optional(Duration('How long to wait.', { default: '5s', examples: ['10s'] })),
      },
      { ...closed, ...exactlyOne(ONE_OF.waitFor) },
    ),
  ],
  doc('Wait until a text, or { text | selector, timeout }, appears.', {
    defaultText: 'none',
    examples: ['Welcome', { selector: '.done', timeout: '10s' }],
  }),
);

const ExpectYaml = Type.Union(
  [
    Type.String({ minLength: 1 }),
    Type.Object(
      {
        text: Type.Optional(TemplateString('Text expected on the page.', { defaultText: 'none', examples: ['Added'] })),
        visible: Type.Optional(
          Type.String({
            minLength: 1,
            ...doc('A selector expected to be visible.', { defaultText: 'none', examples: ['#cart-count'] }),
          }),
        ),
        url: Type.Optional(
          TemplateString('The URL expected.', { defaultText: 'none', examples: ['http://127.0.0.1:${WEB_PORT}/cart'] }),
        ),
        timeout: Type.Optional(Duration('How long to wait for it.', { default: '5s', examples: ['10s'] })),
      },
      { ...closed, ...exactlyOne(ONE_OF.expect) },
    ),
  ],
  doc('Assert a text, or { text | visible | url, timeout }.', {
    defaultText: 'none',
    examples: ['Added', { visible: '#cart-count' }],
  }),
);

const action = (text: string, examples: unknown[]) => doc(text, { defaultText: 'none', examples });

export const StepYaml = Type.Object(
  {
    name: Type.Optional(
      Type.String({
        minLength: 1,
        ...doc("The step's name in the report.", { defaultText: 'the action', examples: ['open cart'] }),
      }),
    ),
    goto: Type.Optional(
      TemplateString('Open a URL.', { defaultText: 'none', examples: ['http://127.0.0.1:${WEB_PORT}/products/1'] }),
    ),
    click: Type.Optional(
      Type.String({ minLength: 1, ...action('Click the element a selector names.', ["button:has-text('Add')"]) }),
    ),
    fill: Type.Optional(
      Type.Object(
        {
          selector: Type.String({ minLength: 1, ...required('The field to fill.', ['#email']) }),
          value: Type.String(required('The text to type (may use ${NAME}).', ['a@example.com'])),
        },
        { ...closed, ...action('Type a value into a field.', [{ selector: '#email', value: 'a@example.com' }]) },
      ),
    ),
    press: Type.Optional(
      Type.Union(
        [
          Type.String({ minLength: 1 }),
          Type.Object(
            {
              key: Type.String({ minLength: 1, ...required('The key.', ['Tab']) }),
              selector: Type.Optional(
                Type.String({
                  minLength: 1,
                  ...doc('Focus this element first.', { defaultText: 'the focused element', examples: ['#q'] }),
                }),
              ),
            },
            closed,
          ),
        ],
        action('Press a key, or { key, selector }.', ['Enter', { key: 'Tab', selector: '#q' }]),
      ),
    ),
    wait_for: Type.Optional(WaitYaml),
    expect: Type.Optional(ExpectYaml),
    screenshot: Type.Optional(
      Type.Union(
        [
          Type.String({ minLength: 1 }),
          Type.Object(
            {
              name: Type.String({ minLength: 1, ...required('The screenshot name.', ['cart']) }),
              full_page: Type.Optional(
                Type.Boolean(
                  doc('Capture the whole page, not just the viewport.', { default: false, examples: [true] }),
                ),
              ),
            },
            closed,
          ),
        ],
        action('Take a screenshot: a name, or { name, full_page }.', ['cart', { name: 'cart', full_page: true }]),
      ),
    ),
  },
  {
    ...closed,
    ...exactlyOne(ONE_OF.step),
    description: 'One action: goto, click, fill, press, wait_for, expect or screenshot.',
  },
);

const ScenarioYaml = Type.Object(
  {
    name: Type.String({ minLength: 1, ...required('The scenario name (unique).', ['add-to-cart']) }),
    description: Type.Optional(
      Type.String(
        doc('What the scenario shows, in words.', { defaultText: 'none', examples: ['A shopper adds a product.'] }),
      ),
    ),
    start_url: Type.Optional(
      TemplateString('Where the scenario starts.', {
        defaultText: 'validation.browser.start_url',
        examples: ['http://127.0.0.1:${WEB_PORT}'],
      }),
    ),
    needs: Type.Optional(
      StringList('Services that must be up.', { defaultText: 'every service', examples: [['web']] }),
    ),
    steps: Type.Optional(
      Type.Array(
        StepYaml,
        doc('Declarative steps, one action each (or use "script").', {
          defaultText: 'none',
          examples: [[{ goto: '/' }, { screenshot: 'home' }]],
        }),
      ),
    ),
    script: Type.Optional(
      Type.String({
        minLength: 1,
        ...doc('A JS/TS module, relative to the root, receiving { page, urls, env } (or use "steps").', {
          defaultText: 'none',
          examples: ['validation/checkout.ts'],
        }),
      }),
    ),
    timeout: Type.Optional(Duration('How long the scenario may take.', { default: '2m', examples: ['5m'] })),
  },
  { ...closed, ...exactlyOne(ONE_OF.scenario), description: 'A browser scenario: steps or a script.' },
);

export const ValidationYaml = Type.Object(
  {
    browser: Type.Optional(
      Type.Object(
        {
          start_url: Type.Optional(
            TemplateString('Where scenarios start by default.', {
              defaultText: 'none',
              examples: ['http://127.0.0.1:${WEB_PORT}'],
            }),
          ),
          record_video: Type.Optional(
            Type.Boolean(doc('Record a video of each scenario.', { default: true, examples: [false] })),
          ),
          mp4: Type.Optional(
            Type.Boolean(doc('Also convert the video to .mp4.', { default: false, examples: [true] })),
          ),
          viewport: Type.Optional(
            Type.Object(
              {
                width: Type.Integer({ minimum: 100, maximum: 10_000, ...required('Width in pixels.', [1440]) }),
                height: Type.Integer({ minimum: 100, maximum: 10_000, ...required('Height in pixels.', [900]) }),
              },
              {
                ...closed,
                ...doc('The browser window size.', {
                  default: { width: 1280, height: 720 },
                  examples: [{ width: 1440, height: 900 }],
                }),
              },
            ),
          ),
        },
        {
          ...closed,
          ...doc('The browser used by every scenario.', {
            defaultText: 'defaults of each key',
            examples: [{ start_url: 'http://127.0.0.1:${WEB_PORT}', mp4: true }],
          }),
        },
      ),
    ),
    scenarios: Type.Optional(
      Type.Array(
        ScenarioYaml,
        doc('Scenarios `factory validate` runs.', {
          default: [],
          examples: [[{ name: 'home', steps: [{ goto: '/' }] }]],
        }),
      ),
    ),
  },
  {
    ...closed,
    ...doc('Browser validation: a browser and scenarios that drive the running app.', {
      defaultText: 'none',
      examples: [{ browser: { start_url: 'http://127.0.0.1:${WEB_PORT}' } }],
    }),
  },
);

export type TestSuiteYaml = Static<typeof TestSuiteYaml>;
export type StepYaml = Static<typeof StepYaml>;
