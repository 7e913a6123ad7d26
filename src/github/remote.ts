/** Which GitHub repository a git remote points at, and the git side of talking to it. */

/** `owner/name` from a remote URL (https, ssh or scp-like), or undefined when it is not GitHub-shaped. */
export function parseGitHubRemote(url: string): string | undefined {
  const m = /^(?:https?:\/\/[^/]+\/|ssh:\/\/git@[^/]+\/|git@[^:]+:)([^/]+)\/([^/]+?)(?:\.git)?\/?$/.exec(url.trim());
  return m ? `${m[1]}/${m[2]}` : undefined;
}

/** `owner/name` split, or undefined when it is not that shape. */
export function splitRepo(slug: string): { owner: string; repo: string } | undefined {
  const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(slug.trim());
  return m?.[1] && m[2] ? { owner: m[1], repo: m[2] } : undefined;
}
