/**
 * `npm run demo:job` — one job from request to review page, on a copy of examples/diffie: the
 * README's second demo. No model can run on this machine, so the fake agent (ADR 0057) plays the
 * planner, the builder and the reviewer (its script travels in the request); everything else is
 * real: git, bwrap, the diffie instance, its test suites, Chromium with video, the review page.
 * With a real agent CLI logged in, the same is: `factory job run "<request>"` in your repository.
 *
 * Leaves the copy (and its review page) in a temp folder, with nothing running.
 * `npm run demo:job -- --serve`: then serves the dashboard on the demo's job store
 * (`factory serve`, docs/dashboard.md) with the preview still up, until Ctrl-C.
 */
import { spawn } from 'node:child_process';
import { FACTORY_BIN } from '../test/helpers/cli.js';
import { approve, countSteps, diffieRig, plan, request, showCount } from '../test/jobs/harness.js';

const rig = diffieRig();
const text = request('Show the number of projects in the page header', {
  planner: plan(countSteps),
  builder: showCount,
  reviewer: approve('The header shows the count; the tests and the feature scenario pass.'),
});
const factory = (args: string[]) =>
  new Promise<number>((resolve) => {
    const c = spawn(process.execPath, [FACTORY_BIN, ...args], {
      cwd: rig.repo,
      env: { ...process.env, ...rig.env },
      stdio: 'inherit',
    });
    c.on('close', (code) => resolve(code ?? 1));
  });

console.log(`\n== factory job run "Show the number of projects in the page header"   (in ${rig.repo})\n`);
const code = await factory(['job', 'run', text]);
const [job] = await rig.store().list({ limit: 1 });
if (job) {
  console.log('\n== factory job show\n');
  await factory(['job', 'show', job.id]);
  if (process.argv.includes('--serve')) {
    console.log(`\n== factory serve   (open http://127.0.0.1:8090/jobs/${job.id} ; Ctrl-C stops it)\n`);
    // Ctrl-C reaches both (one process group): the server stops, then the job is closed below.
    process.on('SIGINT', () => {});
    await factory(['serve']);
  }
  console.log('\n== factory job close   (stops the preview)\n');
  await factory(['job', 'close', job.id]);
  console.log(`\nreview page: file://${rig.repo}/.factory/jobs/${job.id}/review.html`);
  console.log(`(the copy stays for you to look at; remove it with: rm -rf ${rig.root})`);
}
await rig.keep();
process.exitCode = code;
