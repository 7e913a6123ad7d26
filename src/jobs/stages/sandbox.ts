/**
 * worktree_created → sandbox_created. Makes sure the job's sandbox can run here before any agent
 * needs it: the provider is available (bwrap installed, an engine up), and every role's agent CLI
 * is installed and logged in (each provider's preflight). A sandbox is a policy applied to each
 * exec (ADR 0040), so what this stage creates is the job's sandbox state dir (private HOME and
 * /tmp, `<repo>/.factory/sandboxes/<job id>`); failures here are deterministic and not retried.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { sandboxProviderByName } from '../../sandboxes/index.js';
import { AGENT_ROLES } from '../../publish/index.js';
import { providerFor } from '../agents.js';
import type { Stage } from '../context.js';

export const sandboxStage: Stage = {
  name: 'sandbox',
  role: 'environment_keeper',
  async run(ctx) {
    const { job } = ctx;
    const provider = sandboxProviderByName(job.config.sandbox, ctx.runtime.env);
    const available = await provider.available();
    if (!available.ok) {
      throw new FactoryFailure(
        'sandbox-unavailable',
        `sandbox provider ${provider.name} cannot run here: ${available.reason}`,
        {
          exitCode: ExitCode.unavailable,
          hint: 'pick another with --sandbox (none, bwrap, docker, podman)',
        },
      );
    }
    const checked = new Set<string>();
    for (const role of AGENT_ROLES) {
      const spec = job.config.roles[role];
      const key = JSON.stringify(spec);
      if (checked.has(key)) continue;
      checked.add(key);
      await providerFor(spec).preflight({ env: ctx.runtime.env, signal: ctx.signal });
    }
    const stateDir = join(job.repo, '.factory', 'sandboxes', job.id);
    await mkdir(stateDir, { recursive: true });
    await ctx.transition(
      {
        from: 'worktree_created',
        to: 'sandbox_created',
        message: `${provider.name} sandbox; agents ${[...new Set(AGENT_ROLES.map((r) => job.config.roles[r].agent))].join(', ')} ready`,
      },
      { data: { ...ctx.job.data, sandbox: { provider: provider.name, stateDir } } },
    );
  },
};
