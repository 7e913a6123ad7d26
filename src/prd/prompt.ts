/**
 * Prompts for the PRD walk, built from facts only (pure functions, so tests can read them).
 *
 * A task prompt gives the agent its one task first, then the PRD as context, what is already done and what comes after
 * (so it does not do later tasks early), and the rules of the walk: work in this worktree, commit
 * or leave changes — the outer process makes the task's commit and runs the tests — never push.
 * The review prompt asks for a review pass over the whole branch with the same rules.
 */
import type { Prd, Task } from '../backlog/index.js';

/** The agent loop's default completion signal (issue 6); the walker asks for it explicitly. */
export const COMPLETION_SIGNAL = '<promise>COMPLETE</promise>';

function taskLine(t: Task): string {
  return `- #${t.id} ${t.title} (${t.kind.toUpperCase()})`;
}

function section(title: string, text: string): string {
  return `## ${title}\n\n${text.trim() || '(none)'}\n`;
}

export interface TaskPromptInput {
  prd: Prd;
  task: Task;
  done: Task[];
  remaining: Task[];
  branch: string;
  /** The previous attempt's failure, so a re-run starts from what went wrong. */
  previousFailure?: string;
}

export function buildTaskPrompt(input: TaskPromptInput): string {
  const { prd, task, done, remaining, branch } = input;
  const parts = [
    `You are implementing one task of a product requirements document (PRD) on the git branch \`${branch}\`.`,
    `Do task #${task.id} only. Later tasks are listed so you leave them alone.`,
    '',
    section(`Your task: #${task.id} ${task.title}`, task.body),
    section(`The PRD this task belongs to: #${prd.ref} ${prd.title}`, prd.body),
    section('Done already', done.map(taskLine).join('\n')),
    section('Remaining after this task', remaining.map(taskLine).join('\n')),
  ];
  if (input.previousFailure) {
    parts.push(
      section('The previous attempt at this task failed', `\`\`\`\n${input.previousFailure.slice(-4000)}\n\`\`\``),
    );
  }
  parts.push(
    section(
      'Rules',
      [
        '- Work only inside this repository checkout. Do not push, and do not switch branches.',
        '- You may commit; anything you leave uncommitted is committed for you, as one commit titled with the task.',
        "- The project's tests run after you finish; make them pass.",
        `- When the task is complete, print ${COMPLETION_SIGNAL} on its own line.`,
      ].join('\n'),
    ),
  );
  return parts.join('\n');
}

export interface ReviewPromptInput {
  prd: Prd;
  tasks: Task[];
  branch: string;
  base: string;
  commits: { sha: string; subject: string }[];
}

export function buildReviewPrompt(input: ReviewPromptInput): string {
  const { prd, tasks, branch, base, commits } = input;
  return [
    `Every task of this PRD is done on the branch \`${branch}\`. Review the whole change against the PRD before it goes to a human reviewer.`,
    '',
    section(`PRD #${prd.ref}: ${prd.title}`, prd.body),
    section('Tasks', tasks.map(taskLine).join('\n')),
    section(`Commits (${base}..${branch})`, commits.map((c) => `- ${c.sha.slice(0, 10)} ${c.subject}`).join('\n')),
    section(
      'What to do',
      [
        `- Read the diff (\`git diff ${base}...HEAD\`) and check each requirement of the PRD is met and tested.`,
        '- Fix what is wrong or missing, in small changes; do not start new features.',
        '- Do not push and do not switch branches; your changes are committed for you.',
        `- When the review is complete, print ${COMPLETION_SIGNAL} on its own line.`,
      ].join('\n'),
    ),
  ].join('\n');
}
