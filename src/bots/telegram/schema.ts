/**
 * The bot's published shapes (schema/telegram-config.schema.json, schema/telegram-log.schema.json):
 * the allowlist file a person writes, and the `--json` log lines `factory bot telegram` prints. Pure
 * TypeBox, no grammY, so the schema registry (src/schemas.ts) can load it without the bot.
 */
import { type Static, Type } from '@sinclair/typebox';

const closed = { additionalProperties: false } as const;

const ChatSchema = Type.Object(
  {
    id: Type.Integer({ description: 'The chat id (negative for groups; `/help` in the chat prints it).' }),
    repo: Type.String({ minLength: 1, description: "Absolute path of the repository the chat's requests change." }),
    users: Type.Optional(
      Type.Array(Type.Integer(), {
        description: 'Only these user ids may use the bot here (default: everyone in the chat).',
      }),
    ),
    everyMessage: Type.Optional(
      Type.Boolean({ description: 'Every plain message in the chat is a request (default: only /new and replies).' }),
    ),
    agent: Type.Optional(Type.String({ minLength: 1, description: 'The agent of every role (default claude-code).' })),
    model: Type.Optional(Type.String({ minLength: 1 })),
    sandbox: Type.Optional(
      Type.String({ minLength: 1, description: 'none | bwrap | docker | podman (default bwrap).' }),
    ),
    publisher: Type.Optional(
      Type.Union([Type.Literal('local'), Type.Literal('github')], {
        description:
          "Where the review request goes: `local` (the review page) or `github` (a pull request; the worker needs GITHUB_TOKEN). Default: the contract's jobs.publisher, else the worker's.",
      }),
    ),
    remote: Type.Optional(
      Type.String({
        minLength: 1,
        description:
          "With publisher github: the git remote to push to (default: the contract's jobs.github.remote, else origin).",
      }),
    ),
    tests: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Test suites a job runs.' })),
    maxFixRounds: Type.Optional(Type.Integer({ minimum: 0, maximum: 10 })),
    portRange: Type.Optional(
      Type.Integer({ minimum: 1024, maximum: 65000, description: "Where a job's instance looks for free ports." }),
    ),
  },
  closed,
);

export const TelegramConfigSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    chats: Type.Array(ChatSchema, { description: 'The chats the bot serves; any other chat is refused.' }),
    apiRoot: Type.Optional(
      Type.String({ pattern: '^https?://', description: 'The Bot API server (default https://api.telegram.org).' }),
    ),
    editIntervalMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'Least time between two edits of one progress message (default 3000; flood limits).',
      }),
    ),
    pollIntervalMs: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: 'Least time between two getUpdates calls that returned nothing at once (default 1000).',
      }),
    ),
  },
  { ...closed, description: 'The Telegram bot allowlist: which chat may ask for jobs on which repository.' },
);

export type TelegramConfig = Static<typeof TelegramConfigSchema>;
export type ChatConfig = Static<typeof ChatSchema>;

export const TelegramLogSchema = Type.Object(
  {
    schemaVersion: Type.Literal(1),
    at: Type.String({ description: 'ISO time.' }),
    event: Type.Union(
      [
        Type.Literal('started'),
        Type.Literal('stopped'),
        Type.Literal('refused'),
        Type.Literal('job-created'),
        Type.Literal('action'),
        Type.Literal('edit-failed'),
        Type.Literal('error'),
      ],
      { description: "What happened. A refusal never carries the refused message's text." },
    ),
    chatId: Type.Optional(Type.String()),
    userId: Type.Optional(Type.String()),
    jobId: Type.Optional(Type.String()),
    message: Type.String({ description: 'Redacted: never a token or a secret value.' }),
  },
  { additionalProperties: false, description: 'One line of `factory bot telegram --json` (stdout).' },
);
export type TelegramLog = Static<typeof TelegramLogSchema>;
