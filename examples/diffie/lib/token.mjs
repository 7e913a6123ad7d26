/**
 * The realtime token of one instance: HMAC-SHA256(REALTIME_SECRET, instance id). The secret lives
 * in the checkout's git-ignored `.dev.vars` (written once by setup); deriving per instance means
 * two instances of one checkout (`--worktree-id a`, `b`) still accept only their own clients.
 */
import { createHmac } from 'node:crypto';

export function realtimeToken(secret, instance) {
  return createHmac('sha256', secret).update(`diffie-realtime:${instance}`).digest('base64url');
}
