/**
 * The allowlist decision for one update: the chat must be in the config, and the sender among the
 * chat's `users` when it lists any. Anything else is foreign and runs nothing; it gets ONE refusal
 * per chat (and per user in an allowed chat) for the life of the bot process, so a foreign group
 * cannot make the bot talk, and its text is never looked at or logged.
 */
import { realpathSync } from 'node:fs';
import type { ChatConfig, TelegramConfig } from './config.js';

export interface AllowedChat extends ChatConfig {
  /** The repository's real path (how jobs name their repository). */
  root: string;
}

export type AccessDecision =
  | { allowed: true; chat: AllowedChat }
  | { allowed: false; reason: 'chat' | 'user' /** true the first time only: answer with a refusal */; refuse: boolean };

export interface Access {
  decide(chatId: number | undefined, userId: number | undefined): AccessDecision;
  chats(): AllowedChat[];
}

export function createAccess(config: TelegramConfig): Access {
  const chats = new Map<number, AllowedChat>(
    config.chats.map((c) => [c.id, { ...c, root: realpathSync(c.repo) }] as const),
  );
  const refused = new Set<string>();
  const once = (key: string) => {
    if (refused.has(key)) return false;
    refused.add(key);
    return true;
  };
  return {
    decide(chatId, userId) {
      const chat = chatId === undefined ? undefined : chats.get(chatId);
      if (!chat) return { allowed: false, reason: 'chat', refuse: once(`chat:${chatId}`) };
      if (chat.users && (userId === undefined || !chat.users.includes(userId))) {
        return { allowed: false, reason: 'user', refuse: once(`user:${chatId}:${userId}`) };
      }
      return { allowed: true, chat };
    },
    chats: () => [...chats.values()],
  };
}
