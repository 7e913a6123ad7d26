/**
 * `factory validate`: run the contract's browser scenarios against a running instance and leave the
 * evidence under .factory/artifacts/<run-id>/. Exit 0 when every selected scenario passed, 1 when one
 * failed, 2 for bad input (unknown scenario, no match for --feature, invalid contract), 3 when the
 * instance, a needed service, its URL, Chromium or ffmpeg is not there. docs/validation.md.
 */
import { defineCommand } from 'citty';
import { loadContract } from '../contract/load.js';
import { resolveTemplate } from '../contract/interpolate.js';
import { ExitCode, FactoryFailure } from '../lib/failure.js';
import { eprintln, printJson, println } from '../lib/output.js';
import { readInstance } from '../validation/instance.js';
import { checkAnswers, checkNeeds, notRunning } from '../validation/preflight.js';
import { progressLine, summaryLines } from '../validation/render.js';
import { runValidation } from '../validation/run.js';
import { selectScenarios } from '../validation/select.js';

/** `--scenario a --scenario b,c` → [a, b, c] (citty hands a repeated flag over as an array). */
function names(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return raw.flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);
}

export default defineCommand({
  meta: { name: 'validate', description: "Run the contract's browser scenarios against the running instance, with video and a report." },
  args: {
    scenario: { type: 'string', description: 'Run only this scenario (repeatable, or comma-separated)' },
    feature: { type: 'string', description: 'Run the scenarios whose name or description matches this text' },
    'worktree-id': { type: 'string', description: 'Instance to validate (default: this worktree)' },
    file: { type: 'string', alias: 'f', description: 'Contract file (default: factory.yaml here or above)' },
    json: { type: 'boolean', description: 'Print the report as JSON (schema/validate.schema.json)' },
    mp4: { type: 'boolean', description: 'Also write each video as .mp4 (H.264)' },
  },
  async run({ args }) {
    const contract = await loadContract({ file: args.file });
    const spec = contract.validation;
    if (!spec || spec.scenarios.length === 0) {
      throw new FactoryFailure('no-scenarios', `${contract.file} declares no validation scenarios`, {
        exitCode: ExitCode.invalid,
        hint: 'add validation.scenarios (docs/validation.md)',
      });
    }
    const feature = typeof args.feature === 'string' ? args.feature : undefined;
    const scenarios = selectScenarios(spec.scenarios, { names: names(args.scenario), ...(feature !== undefined ? { feature } : {}) });

    const instance = await readInstance(contract, { worktreeId: args['worktree-id'] });
    if (!instance.running) throw notRunning(instance.worktreeId, args.file, instance.phase);
    checkNeeds(instance, scenarios, args.file);
    const startUrls = [...new Set(scenarios.map((s) => resolveTemplate(s.startUrl, instance.env)))];
    for (const url of startUrls) await checkAnswers(url, instance.worktreeId, args.file);

    const report = await runValidation({
      root: contract.root,
      worktreeId: instance.worktreeId,
      scenarios,
      browser: { ...spec, mp4: spec.mp4 || args.mp4 === true },
      urls: instance.urls,
      env: instance.env,
      ...(feature !== undefined ? { feature } : {}),
      onEvent: (event) => {
        if (args.json) return;
        const line = progressLine(event);
        if (line !== undefined) eprintln(line);
      },
    });
    if (args.json) printJson({ ...report });
    else for (const line of summaryLines(report, process.cwd())) println(line);
    return report.ok ? ExitCode.ok : ExitCode.failed;
  },
});
