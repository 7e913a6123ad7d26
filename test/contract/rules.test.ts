/** Each cross-field rule, with the exact message it gives and where it points. */
import { describe, expect, it } from 'vitest';
import { contractOf, problems } from './helpers.js';

const svc = (body: string) => `name: demo\n${body}`;

describe('rules', () => {
  it('unknown dependency, with did-you-mean', () => {
    expect(
      problems(svc('services:\n  api:\n    command: x\n    depends_on: [postgress]\n  postgres:\n    command: y\n')),
    ).toEqual([
      '5:18 error unknown-dependency: service "api" depends on "postgress", which is not defined [did you mean "postgres"?]',
    ]);
  });

  it('unknown dependency in map form points at the key', () => {
    expect(problems(svc('services:\n  api:\n    command: x\n    depends_on:\n      db: healthy\n'))).toEqual([
      '6:7 error unknown-dependency: service "api" depends on "db", which is not defined [defined services: api]',
    ]);
  });

  it('unknown port, with did-you-mean', () => {
    expect(problems(svc('ports: [api]\nservices:\n  api:\n    command: x\n    port: apj\n'))).toEqual([
      '6:11 error unknown-port: service "api" uses port "apj", which is not declared in ports [did you mean "api"?]',
    ]);
  });

  it('unknown port in a tcp health check', () => {
    expect(
      problems(svc('ports: [web]\nservices:\n  api:\n    command: x\n    port: web\n    healthcheck: { tcp: db }\n')),
    ).toEqual([
      '7:25 error unknown-port: service "api" uses port "db", which is not declared in ports [declare it: ports: [web, db]]',
    ]);
  });

  it('duplicate port name and duplicate offset', () => {
    expect(problems(svc('ports: [api, web, api]\n'))).toEqual([
      '2:19 error duplicate-port: port "api" is declared twice',
    ]);
    expect(problems(svc('ports:\n  api: { offset: 1 }\n  web: { offset: 1 }\n'))).toEqual([
      '4:18 error duplicate-port: ports "api" and "web" have the same offset 1 [give each port its own offset in the block]',
    ]);
  });

  it('url of a service with no port', () => {
    expect(problems(svc('ports: [web]\nservices:\n  app:\n    command: x\n    url: http://localhost:3000\n'))).toEqual([
      '6:10 error url-without-port: service "app" has a url but no port [add the port it listens on, e.g. "port: web" (declared: web)]',
    ]);
  });

  it("a url naming a port variable makes the port the service's own (the seed's form)", () => {
    expect(
      problems(svc('ports: [web]\nservices:\n  app:\n    command: x\n    url: http://localhost:${WEB_PORT}\n')),
    ).toEqual([]);
  });

  it('invalid service and port names', () => {
    expect(problems(svc('ports: [Api]\nservices:\n  My Service:\n    command: x\n'))).toEqual([
      '2:9 error invalid-name: invalid port name "Api": use lowercase letters, digits, "_" and "-", starting with a letter or digit [rename it, e.g. "api"]',
      '4:3 error invalid-name: invalid service name "My Service": use lowercase letters, digits, "_" and "-", starting with a letter or digit [rename it, e.g. "my-service"]',
    ]);
  });

  it('port block smaller than the ports declared, or than the offsets', () => {
    expect(problems(svc('isolation:\n  port_range_size: 2\nports: [a, b, c]\n'))).toEqual([
      '3:20 error port-block-too-small: isolation.port_range_size is 2, but 3 ports are declared [set isolation.port_range_size to at least 3]',
    ]);
    expect(problems(svc('isolation:\n  port_range_size: 5\nports:\n  a: { offset: 7 }\n'))).toEqual([
      '3:20 error port-block-too-small: isolation.port_range_size is 5, but port offsets go up to 7 [set isolation.port_range_size to at least 8]',
    ]);
  });

  it('depends_on healthy on a service with no health check', () => {
    expect(
      problems(svc('services:\n  db:\n    command: x\n  api:\n    command: y\n    depends_on: { db: healthy }\n')),
    ).toEqual([
      '7:23 error condition-without-healthcheck: service "api" waits for "db" to be healthy, but "db" has no healthcheck [add a healthcheck to "db", or use condition "started"]',
    ]);
  });

  it('depends_on healthy on a compose service without a contract check is left to its compose healthcheck', () => {
    expect(
      problems(svc('services:\n  db:\n    type: compose\n  api:\n    command: y\n    depends_on: { db: healthy }\n')),
    ).toEqual([]);
  });

  it('depends_on completed makes its target a one-shot (compose: service_completed_successfully)', () => {
    const c = contractOf(
      svc(
        'services:\n  seed:\n    command: x\n  api:\n    command: y\n    depends_on:\n      seed: { condition: completed }\n  web:\n    command: z\n    depends_on: [seed]\n',
      ),
    );
    expect(c.services.seed).toMatchObject({ oneShot: true, restart: { policy: 'no', maxRestarts: 0 } });
    expect(c.services.api!.dependsOn).toEqual([{ service: 'seed', condition: 'completed' }]);
    expect(c.services.web!.dependsOn).toEqual([{ service: 'seed', condition: 'completed' }]);
    expect(
      problems(
        svc(
          'services:\n  seed: { command: x, restart: on-failure }\n  api: { command: y, depends_on: { seed: completed } }\n',
        ),
      ),
    ).toEqual([]);
  });

  it('depends_on completed on a service that restarts always, or says one_shot: false, is an error', () => {
    expect(
      problems(
        svc(
          'services:\n  db:\n    command: x\n    restart: always\n  api:\n    command: y\n    depends_on:\n      db: { condition: completed }\n',
        ),
      ),
    ).toEqual([
      '9:11 error condition-not-one-shot: service "api" waits for "db" to complete, but "db" restarts always, so it never stays completed [give "db" restart: on-failure (or no), or wait for it with condition "started"]',
    ]);
    expect(
      problems(
        svc(
          'services:\n  db: { command: x, one_shot: false, healthcheck: { log: ready } }\n  api: { command: y, depends_on: { db: completed } }\n',
        ),
      ),
    ).toEqual([
      '4:40 error condition-not-one-shot: service "api" waits for "db" to complete, but "db" says one_shot: false [remove "one_shot: false" from "db", or wait for it with condition "healthy" or "started"]',
    ]);
  });

  it('unknown keys inside a service, with did-you-mean', () => {
    expect(problems(svc('services:\n  api:\n    comand: x\n'))).toEqual([
      '4:5 error unknown-key: unknown key "comand" in services.api [did you mean "command"?]',
    ]);
  });

  it('a service with neither command nor compose type', () => {
    expect(problems(svc('services:\n  api:\n    cwd: web\n'))).toEqual([
      '3:3 error missing-command: service "api" has no command [add a command, e.g. "command: npm start", or "type: compose" for a docker compose service]',
    ]);
  });

  it('a health check with two kinds', () => {
    expect(
      problems(
        svc('ports: [a]\nservices:\n  api:\n    command: x\n    port: a\n    healthcheck: { tcp: a, log: ready }\n'),
      ),
    ).toEqual([
      '7:18 error healthcheck-kind: a health check has one kind (http, tcp, command or log), not tcp and log [keep only one: "tcp" or "log"]',
    ]);
  });

  it('keys taking a number or a string say what is wrong with the value, not which type came first', () => {
    expect(
      problems(
        svc(
          'services:\n  a:\n    command: a\n    stop_grace_period: 5 seconds\n    healthcheck: { log: x, timeout: true }\n  b: { command: b, healthcheck: { http: "http://x", status: "2xx" } }\n',
        ),
      ),
    ).toEqual([
      '5:24 error invalid-value: services.a.stop_grace_period has an invalid value "5 seconds" [write a duration, e.g. "5s" (or "150ms", "2m", "1h", or a number of seconds)]',
      '6:37 error wrong-type: services.a.healthcheck.timeout must be a number or a string, not a boolean [write a duration, e.g. "5s" (or "150ms", "2m", "1h", or a number of seconds)]',
      '7:61 error invalid-value: services.b.healthcheck.status has an invalid value "2xx" [write a status or an inclusive range, e.g. "200-399" (or 204)]',
    ]);
  });

  it('env keys may not shadow built-ins or port variables', () => {
    expect(problems(svc('ports: [api]\nenv:\n  WORKTREE_ID: x\n  API_PORT: "1"\n'))).toEqual([
      '4:3 error reserved-variable: WORKTREE_ID is set by factory (a built-in) and cannot be set in env [rename it, e.g. "APP_WORKTREE_ID"]',
      '5:3 error reserved-variable: API_PORT is set by factory (the variable of port "api") and cannot be set in env [rename it, e.g. "APP_API_PORT"]',
    ]);
  });

  it('env cycles are printed', () => {
    expect(problems(svc('env:\n  A: ${B}\n  B: x${C}\n  C: ${A}\n'))).toEqual([
      '3:6 error env-cycle: env variables reference each other in a cycle: A → B → C → A [break the cycle by writing one value out]',
    ]);
  });

  it('undefined references in shell lines are located; $NAME, \\${NAME} and $${NAME} are not checked', () => {
    expect(
      problems(svc("services:\n  api:\n    command: 'for f in *; do echo $f \\${g} $${h}; done; echo ${NOPE}'\n")),
    ).toEqual([
      '4:62 error undefined-variable: ${NOPE} is not defined [define it in env or an env_file, or declare the port; for a variable the command sets itself, write $NAME or \\${NAME}]',
    ]);
  });

  it('a malformed reference in a template', () => {
    expect(problems(svc('validation:\n  browser:\n    start_url: http://localhost:${ports.app}\n'))).toEqual([
      '4:33 error invalid-template: "${ports.app}" is not a variable reference: names are letters, digits and "_" (write "$$" for a literal "$")',
    ]);
  });

  it('did-you-mean for a misspelled port variable', () => {
    expect(
      problems(
        svc('ports: [api]\nservices:\n  api:\n    command: x\n    port: api\n    url: http://localhost:${APIPORT}\n'),
      ),
    ).toEqual(['7:27 error undefined-variable: ${APIPORT} is not defined [did you mean ${API_PORT}?]']);
  });

  it('texts that scenario steps wait for or expect are templates, checked at compile time', () => {
    const yaml = svc(
      'ports: [app]\nvalidation:\n  scenarios:\n    - name: s\n      start_url: http://localhost:${APP_PORT}\n      steps:\n        - wait_for: { text: "${APPPORT}" }\n        - expect: "hi ${WORKTREE_ID} ${NOPE}"\n',
    );
    expect(problems(yaml)).toEqual([
      '8:30 error undefined-variable: ${APPPORT} is not defined [did you mean ${APP_PORT}?]',
      '9:38 error undefined-variable: ${NOPE} is not defined [define it in env or an env_file, or declare the port it names (ports give <NAME>_PORT)]',
    ]);
  });

  it('reports every rule problem at once, top to bottom', () => {
    const out = problems(
      svc('services:\n  a:\n    command: x\n    depends_on: [b, zz]\n  b:\n    command: y\n    depends_on: [a]\n'),
    );
    expect(out).toEqual([
      '5:18 error dependency-cycle: dependency cycle: a → b → a [remove one of these depends_on entries]',
      '5:21 error unknown-dependency: service "a" depends on "zz", which is not defined [defined services: a, b]',
    ]);
  });

  it('schema keywords that use ajv runtime helpers (minLength) work in the precompiled validator', () => {
    expect(problems('name: ""\n')).toEqual(['1:7 error invalid-value: name must not be empty']);
  });

  it('a dependency listed twice', () => {
    expect(problems(svc('services:\n  a: { command: x }\n  b: { command: y, depends_on: [a, a] }\n'))).toEqual([
      '4:36 error duplicate-dependency: service "b" lists "a" twice in depends_on',
    ]);
  });

  it('more than one YAML document', () => {
    expect(problems('name: a\n---\nname: b\n')).toEqual([
      '2:1 error yaml-syntax: invalid YAML: the file holds more than one YAML document [a contract is one document: remove the "---" separator and what follows, or merge them]',
    ]);
  });

  it('a top level that is not a mapping, and a missing name', () => {
    expect(problems('- a\n- b\n')).toEqual([
      '1:1 error wrong-type: the contract must be a mapping of keys (name:, services:, …), not a list [run "factory init" to write a starter contract]',
    ]);
    expect(problems('services: {}\n')).toEqual([
      '1:1 error missing-key: the contract is missing required key "name" [add it, e.g. "name: shop"]',
    ]);
  });

  it('type errors in sibling entries whose names share a prefix are each reported', () => {
    expect(problems('name: x\ntests:\n  unit: 5\n  unit2: [bun test, 7]\n')).toEqual([
      '3:9 error wrong-type: tests.unit must be a list or a mapping, not an integer',
      '4:21 error wrong-type: tests.unit2[1] must be a string or a list, not an integer [write a shell line or a list of arguments, e.g. "node server.js" (or [node, server.js])]',
    ]);
  });
});
