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
    cancel: () => import('./job-cancel.js').then((m) => m.default),
    retry: () => import('./job-retry.js').then((m) => m.default),
    approve: () => import('./job-approve.js').then((m) => m.default),
    close: () => import('./job-close.js').then((m) => m.default),
    gc: () => import('./job-gc.js').then((m) => m.default),
    sync: () => import('./job-sync.js').then((m) => m.default),
  },
});
