/** `factory job <subcommand>`: requests that become reviewed, proven changes (docs/jobs.md). */
import { defineCommand } from 'citty';

export default defineCommand({
  meta: { name: 'job', description: 'Turn a request into a reviewed change with proof the app ran.' },
  subCommands: {
    new: () => import('./job-new.js').then((m) => m.default),
    run: () => import('./job-run.js').then((m) => m.default),
    list: () => import('./job-list.js').then((m) => m.default),
    show: () => import('./job-show.js').then((m) => m.default),
    logs: () => import('./job-logs.js').then((m) => m.default),
    cancel: () => import('./job-control.js').then((m) => m.cancel),
    retry: () => import('./job-control.js').then((m) => m.retry),
    approve: () => import('./job-control.js').then((m) => m.approve),
    close: () => import('./job-control.js').then((m) => m.close),
    gc: () => import('./job-gc.js').then((m) => m.default),
  },
});
