/** `factory bot <channel>`: chat bots that turn a message into a job (docs/telegram.md). */
import { defineCommand } from 'citty';

export default defineCommand({
  meta: { name: 'bot', description: 'Chat bots: a message in a project chat starts a job.' },
  subCommands: {
    telegram: () => import('./bot-telegram.js').then((m) => m.default),
  },
});
