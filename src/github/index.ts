/** The GitHub layer: one REST client (Octokit), the token, and which repository a remote names. */
export {
  createGitHub,
  githubFailure,
  messageOf,
  statusOf,
  DEFAULT_GITHUB_API,
  GITHUB_API_VERSION,
  type GitHub,
  type GitHubOptions,
} from './client.js';
export { resolveGitHubToken } from './token.js';
export { parseGitHubRemote, splitRepo } from './remote.js';
