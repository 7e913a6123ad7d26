/** The port pool default leases come from: outside the kernel's ephemeral range (docs/adr/0011). */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { acquireLease } from '../../src/services/leases.js';
import {
  EPHEMERAL_RANGE_FILE,
  ephemeralRange,
  ephemeralWarning,
  FALLBACK_EPHEMERAL,
  POOL_ENV,
  portPool,
} from '../../src/services/port-pool.js';
import { leaseRequest } from './helpers.js';

let home: string;
let env: NodeJS.ProcessEnv;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'factory-pool-'));
  env = { ...process.env, FACTORY_STATE_HOME: home };
  // The real default pool, not the test run's private one (vitest.config.ts sets it).
  delete env[POOL_ENV];
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const req = (id: string, extra: Partial<Parameters<typeof acquireLease>[0]> = {}) => leaseRequest(id, env, extra);

describe('the port pool', () => {
  it('reads the kernel ephemeral range, falling back to Linux default when it cannot', () => {
    const kernel = ephemeralRange();
    expect(kernel.low).toBeLessThanOrEqual(kernel.high);
    const bad = join(home, 'range');
    writeFileSync(bad, 'garbage\n');
    expect(ephemeralRange(bad)).toEqual(FALLBACK_EPHEMERAL);
    expect(ephemeralRange(join(home, 'missing'))).toEqual(FALLBACK_EPHEMERAL);
    writeFileSync(bad, '40000\t50000\n');
    expect(ephemeralRange(bad)).toEqual({ low: 40_000, high: 50_000 });
    expect(EPHEMERAL_RANGE_FILE).toBe('/proc/sys/net/ipv4/ip_local_port_range');
  });

  it('is 20000–65535 minus the ephemeral range; FACTORY_PORT_POOL replaces it', () => {
    const linux = { low: 32_768, high: 60_999 };
    expect(portPool({}, linux).ranges).toEqual([
      { low: 20_000, high: 32_767 },
      { low: 61_000, high: 65_535 },
    ]);
    expect(portPool({}, { low: 10_000, high: 40_000 }).ranges).toEqual([{ low: 40_001, high: 65_535 }]);
    // Nothing left outside: the whole pool, and every lease from it is warned about.
    expect(portPool({}, { low: 1024, high: 65_535 }).ranges).toEqual([{ low: 20_000, high: 65_535 }]);
    expect(portPool({ [POOL_ENV]: '12000-12999, 14000-14099' }, linux).ranges).toEqual([
      { low: 12_000, high: 12_999 },
      { low: 14_000, high: 14_099 },
    ]);
    for (const bad of ['12000', '13000-12000', '0-10', '1-70000', 'a-b'])
      expect(() => portPool({ [POOL_ENV]: bad }, linux), bad).toThrow(
        expect.objectContaining({ code: 'invalid-port-pool', exitCode: 2 }),
      );
  });

  it('leases default blocks below the kernel ephemeral range', async () => {
    const kernel = ephemeralRange();
    const a = await acquireLease(req('a'));
    const b = await acquireLease(req('b'));
    for (const l of [a, b]) {
      expect(l.lease.base).toBeGreaterThanOrEqual(20_000);
      expect(l.lease.base + l.lease.size - 1 < kernel.low || l.lease.base > kernel.high).toBe(true);
      expect(l.warnings).toEqual([]);
    }
    expect(b.lease.base).not.toBe(a.lease.base);
  });

  it('warns about a --port-range block inside the ephemeral range, and keeps it', async () => {
    const kernel = ephemeralRange();
    const inside = Math.ceil((kernel.low + 1000) / 10) * 10;
    // No named slots to bind-check: a port inside the range may be some connection's right now.
    const r = await acquireLease(req('x', { base: inside, offsets: [] }));
    expect(r.lease.base).toBe(inside);
    expect(r.warnings).toEqual([ephemeralWarning(inside, 10, kernel)]);
    expect(r.warnings[0]).toMatch(
      new RegExp(
        `^ports ${inside}–${inside + 9} lie inside the kernel's ephemeral port range \\(${kernel.low}–${kernel.high}, /proc/sys/net/ipv4/ip_local_port_range\\)`,
      ),
    );
    // The same id leased again without --port-range keeps the block the user chose.
    const again = await acquireLease(req('x', { offsets: [] }));
    expect(again.lease.base).toBe(inside);
    expect(again.warnings.length).toBe(1);
  });

  it('moves a default block leased inside the ephemeral range (before the pool moved) out of it', async () => {
    const kernel = ephemeralRange();
    const inside = Math.ceil((kernel.low + 2000) / 10) * 10;
    await acquireLease(req('old', { base: inside, offsets: [] }));
    // What an older factory recorded: a default block, not asked for.
    const file = join(home, 'leases.json');
    const reg = JSON.parse(readFileSync(file, 'utf8'));
    delete reg.leases[0].explicit;
    writeFileSync(file, JSON.stringify(reg));
    const r = await acquireLease(req('old'));
    expect(r.lease.base).toBeLessThan(kernel.low);
    expect(r.moved).toEqual({ from: inside, to: r.lease.base, reason: "inside the kernel's ephemeral port range" });
    expect(r.warnings).toEqual([]);
  });
});
