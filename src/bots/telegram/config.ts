/**
 * The bot's allowlist: a machine-level JSON file (schema/telegram-config.schema.json, docs/telegram.md)
 * that maps each chat the bot serves to one repository, with the job defaults for requests from it
 * and, optionally, the only users allowed to ask. A chat that is not in it is foreign: the bot answers
 * it once with a refusal and runs nothing (./access.ts). The bot token is not in this file: it comes
 * from TELEGRAM_BOT_TOKEN only, so the file can be shown and shared.
 *
 * Where: `--config FILE`, else FACTORY_TELEGRAM_CONFIG, else `$XDG_CONFIG_HOME/factory/telegram.json`,
 * else `~/.config/factory/telegram.json`.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { Ajv } from 'ajv';
import { ExitCode, FactoryFailure } from '../../lib/failure.js';
import { type TelegramConfig, TelegramConfigSchema } from './schema.js';

export type { ChatConfig, TelegramConfig } from './schema.js';

export const DEFAULT_API_ROOT = 'https://api.telegram.org';
export const DEFAULT_EDIT_INTERVAL_MS = 3_000;
export const DEFAULT_POLL_INTERVAL_MS = 1_000;

export function telegramConfigPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.FACTORY_TELEGRAM_CONFIG) return resolve(env.FACTORY_TELEGRAM_CONFIG);
  const base = env.XDG_CONFIG_HOME ? resolve(env.XDG_CONFIG_HOME) : join(homedir(), '.config');
  return join(base, 'factory', 'telegram.json');
}

const EXAMPLE = '{"chats": [{"id": -1001234567890, "repo": "/home/me/src/app"}]}';

function bad(file: string, message: string, hint: string): FactoryFailure {
  return new FactoryFailure('telegram-config-invalid', `${file}: ${message}`, { exitCode: ExitCode.invalid, hint });
}

let check: ReturnType<Ajv['compile']> | undefined;

/** Reads and checks the allowlist; every mistake names the file and the field. */
export function loadTelegramConfig(file: string): TelegramConfig {
  if (!existsSync(file) || !statSync(file).isFile()) {
    throw new FactoryFailure('telegram-config-missing', `no Telegram bot config at ${file}`, {
      exitCode: ExitCode.invalid,
      hint: `create it with the chats the bot serves, e.g. ${EXAMPLE} (docs/telegram.md)`,
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw bad(file, `not valid JSON (${(error as Error).message})`, `it should look like ${EXAMPLE}`);
  }
  check ??= new Ajv({ allErrors: true, strict: false }).compile(TelegramConfigSchema);
  if (!check(value)) {
    const first = check.errors?.[0];
    const where = first?.instancePath ? first.instancePath.slice(1).replaceAll('/', '.') : 'the top level';
    const extra = first?.params && 'additionalProperty' in first.params ? ` "${first.params.additionalProperty}"` : '';
    throw bad(file, `${where} ${first?.message ?? 'is invalid'}${extra}`, 'see schema/telegram-config.schema.json');
  }
  const config = value as TelegramConfig;
  const seen = new Set<number>();
  config.chats.forEach((chat, i) => {
    if (seen.has(chat.id)) throw bad(file, `chats.${i}.id ${chat.id} is listed twice`, 'one entry per chat');
    seen.add(chat.id);
    if (!isAbsolute(chat.repo)) {
      throw bad(
        file,
        `chats.${i}.repo "${chat.repo}" is not an absolute path`,
        'write the full path of the repository',
      );
    }
    if (chat.remote !== undefined && chat.publisher !== 'github') {
      throw bad(
        file,
        `chats.${i}.remote goes with "publisher": "github"`,
        'add "publisher": "github", or drop "remote"',
      );
    }
    if (!existsSync(chat.repo) || !statSync(chat.repo).isDirectory()) {
      throw bad(file, `chats.${i}.repo ${chat.repo} is not a directory`, 'point it at a clone of the repository');
    }
  });
  return config;
}
