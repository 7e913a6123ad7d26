/**
 * `factory validate`: run the contract's browser scenarios against a running instance and leave the
 * evidence under .factory/artifacts/<run-id>/. Exit 0 when every selected scenario passed, 1 when one
 * failed, 2 for bad input (unknown scenario, no match for --feature, invalid contract), 3 when the
 * instance, a needed service, its URL, Chromium or ffmpeg is not there. docs/validation.md.
 */
import { defineCommand } from 'citty';
import { ExitCode } from '../lib/failure.js';
import { eprintln, printJson, println } from '../lib/output.js';
import { progressLine, summaryLines, validateInstance } from '../validation/index.js';

/** `--scenario a --scenario b,c` → [a, b, c] (citty hands a repeated flag over as an array). */
function names(value: unknown): string[] {
  const raw = Array.isArray(value) ? value : value === undefined ? [] : [value];
  return raw
    .flatMap((v) => String(v).split(','))
    .map((v) => v.trim())
    .filter(Boolean);
}

export default defineCommand({
  meta: {
    name: 'validate',
    description: "Run the contract's browser scenarios against the running instance, with video and a report.",
  },
  args: {
    scenario: { type: 'string', description: 'Run only this scenario (repeatable, or comma-separated)' },
    feature: { type: 'string', description: 'Run the scenarios whose name or description matches this text' },
    'worktree-id': { type: 'string', description: 'Instance to validate (default: this worktree)' },
    file: { type: 'string', alias: 'f', description: 'Contract file (default: factory.yaml here or above)' },
    json: { type: 'boolean', description: 'Print the report as JSON (schema/validate.schema.json)' },
    mp4: { type: 'boolean', description: 'Also write each video as .mp4 (H.264)' },
  },
  async run({ args }) {
    const report = await validateInstance({
      ...(args.file !== undefined ? { file: args.file } : {}),
      ...(args['worktree-id'] !== undefined ? { worktreeId: args['worktree-id'] } : {}),
      scenarios: names(args.scenario),
      ...(typeof args.feature === 'string' ? { feature: args.feature } : {}),
      mp4: args.mp4 === true,
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
