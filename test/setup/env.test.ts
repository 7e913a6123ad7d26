/** The environment setup steps get before an instance holds a port lease. */
import { describe, expect, it } from 'vitest';
import { resolveAvailable } from '../../src/setup/env.js';

describe('resolveAvailable', () => {
  it('resolves what it can, in any declaration order, and names what needs a missing variable', () => {
    const { values, skipped } = resolveAvailable(
      {
        URL: 'http://127.0.0.1:${API_PORT}/x',
        DERIVED: '${BASE}/sub',
        BASE: '/srv/${WORKTREE_ID}',
        CHAINED: '${URL}?q=1',
        PLAIN: 'literal $$ and $HOME',
      },
      { WORKTREE_ID: 'a' },
    );
    expect(values).toEqual({ BASE: '/srv/a', DERIVED: '/srv/a/sub', PLAIN: 'literal $ and $HOME' });
    expect(skipped.sort()).toEqual(['CHAINED', 'URL']);
  });

  it('reads a self-reference from the layer below', () => {
    expect(resolveAvailable({ PATH: '${PATH}:/opt/bin' }, { PATH: '/usr/bin' }).values).toEqual({
      PATH: '/usr/bin:/opt/bin',
    });
  });

  it('never loops on a cycle: both keys are skipped', () => {
    expect(resolveAvailable({ A: '${B}', B: '${A}' }, {})).toEqual({ values: {}, skipped: ['A', 'B'] });
  });
});
