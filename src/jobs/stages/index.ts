/** The stages by name, one file each, in pipeline order. */
import type { StageName } from '../../publish/index.js';
import type { Stage } from '../context.js';
import { buildStage } from './build.js';
import { environmentStage } from './environment.js';
import { planStage } from './plan.js';
import { publishStage } from './publish.js';
import { recordStage } from './record.js';
import { reviewStage } from './review.js';
import { sandboxStage } from './sandbox.js';
import { testStage } from './test.js';
import { worktreeStage } from './worktree.js';

export const STAGES: Record<StageName, Stage> = {
  plan: planStage,
  worktree: worktreeStage,
  sandbox: sandboxStage,
  environment: environmentStage,
  build: buildStage,
  test: testStage,
  record: recordStage,
  publish: publishStage,
  review: reviewStage,
};
