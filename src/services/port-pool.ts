/**
 * The port pool: where default leases come from (docs/adr/0011).
 *
 * Every outgoing TCP connection on the machine (health probes, database clients, a service's own
 * requests) takes its local port from the kernel's ephemeral range
 * (/proc/sys/net/ipv4/ip_local_port_range, 32768–60999 on a default Linux). A leased port inside
 * that range can be taken between the lease and the service's bind — EADDRINUSE on the
 * instance's own port. So the default pool is POOL_FLOOR–65535 minus the ephemeral range
 * (20000–32767 and 61000–65535 by default: over a thousand blocks of 10); POOL_FLOOR keeps clear
 * of the well-known and commonly configured ports below it (3000, 5432, 8080, …).
 * FACTORY_PORT_POOL=LOW-HIGH[,LOW-HIGH…] replaces the pool (the test suite moves its registry to a
 * range real instances never use).
 */
import { readFileSync } from 'node:fs';
import { ExitCode, FactoryFailure } from '../lib/failure.js';

export interface PortRange {
  low: number;
  high: number;
}

export const EPHEMERAL_RANGE_FILE = '/proc/sys/net/ipv4/ip_local_port_range';
/** Linux's default, used when the kernel's file cannot be read. */
export const FALLBACK_EPHEMERAL: PortRange = { low: 32_768, high: 60_999 };
export const POOL_FLOOR = 20_000;
export const MAX_PORT = 65_535;
export const POOL_ENV = 'FACTORY_PORT_POOL';

export const formatRange = (r: PortRange) => (r.low === r.high ? `${r.low}` : `${r.low}–${r.high}`);

/** The kernel's ephemeral range (read each call: it can be changed with sysctl at any time). */
export function ephemeralRange(file = EPHEMERAL_RANGE_FILE): PortRange {
  try {
    const [low = Number.NaN, high = Number.NaN] = readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    if (Number.isInteger(low) && Number.isInteger(high) && low > 0 && low <= high && high <= MAX_PORT)
      return { low, high };
  } catch {
    // not Linux, or /proc not mounted
  }
  return FALLBACK_EPHEMERAL;
}

function invalidPool(value: string, why: string): FactoryFailure {
  return new FactoryFailure('invalid-port-pool', `${POOL_ENV}="${value}" is not valid: ${why}`, {
    exitCode: ExitCode.invalid,
    hint: `set ${POOL_ENV} to ranges LOW-HIGH separated by commas, e.g. ${POOL_ENV}=20000-29999, or unset it`,
  });
}

/** `LOW-HIGH[,LOW-HIGH…]` → ranges, each inside 1–65535. */
export function parsePool(value: string): PortRange[] {
  const out: PortRange[] = [];
  for (const part of value.split(',')) {
    const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(part);
    if (!m) throw invalidPool(value, `"${part.trim()}" is not LOW-HIGH`);
    const low = Number(m[1]);
    const high = Number(m[2]);
    if (low < 1 || high > MAX_PORT || low > high)
      throw invalidPool(value, `${low}-${high} must satisfy 1 ≤ LOW ≤ HIGH ≤ ${MAX_PORT}`);
    out.push({ low, high });
  }
  return out;
}

export interface Pool {
  ranges: PortRange[];
  ephemeral: PortRange;
}

/**
 * The ranges default leases are searched in, in order. When the ephemeral range leaves nothing
 * outside it above POOL_FLOOR, the whole of POOL_FLOOR–65535 (every lease then carries a warning).
 */
export function portPool(env: NodeJS.ProcessEnv = process.env, ephemeral: PortRange = ephemeralRange()): Pool {
  const configured = env[POOL_ENV];
  if (configured !== undefined && configured.trim() !== '') return { ranges: parsePool(configured), ephemeral };
  const ranges: PortRange[] = [];
  if (ephemeral.low - 1 >= POOL_FLOOR) ranges.push({ low: POOL_FLOOR, high: ephemeral.low - 1 });
  if (ephemeral.high + 1 <= MAX_PORT) ranges.push({ low: Math.max(POOL_FLOOR, ephemeral.high + 1), high: MAX_PORT });
  return { ranges: ranges.length > 0 ? ranges : [{ low: POOL_FLOOR, high: MAX_PORT }], ephemeral };
}

/** The part of `r` inside `e`, if any. */
export function overlap(r: PortRange, e: PortRange): PortRange | undefined {
  const low = Math.max(r.low, e.low);
  const high = Math.min(r.high, e.high);
  return low <= high ? { low, high } : undefined;
}

/** A warning when the block `base`…`base+size-1` overlaps the ephemeral range. */
export function ephemeralWarning(
  base: number,
  size: number,
  ephemeral: PortRange = ephemeralRange(),
): string | undefined {
  const block = { low: base, high: base + size - 1 };
  if (!overlap(block, ephemeral)) return undefined;
  const pool = portPool({}, ephemeral).ranges.map(formatRange).join(', ');
  return (
    `ports ${formatRange(block)} lie inside the kernel's ephemeral port range (${formatRange(ephemeral)}, ` +
    `${EPHEMERAL_RANGE_FILE}): an outgoing connection can take one of them as its local port before a service ` +
    `binds it (EADDRINUSE); lease outside it (without --port-range factory leases from ${pool})`
  );
}
