/**
 * The service graph: default dependency conditions, cycles, and start order.
 *
 * Start order is a topological order that is *stable*: among services whose dependencies are all
 * started, the one declared first in factory.yaml goes first, so the order only changes when the
 * contract does.
 */
import type { Contract, DependencyCondition, ServiceSpec } from './types.js';

/**
 * The condition an unqualified `depends_on: [x]` means: wait for x's health check if it has one,
 * for its completion if it is a one-shot, else only for its start.
 */
export function defaultCondition(target: ServiceSpec | undefined): DependencyCondition {
  if (!target) return 'started';
  if (target.oneShot) return 'completed';
  return target.healthcheck ? 'healthy' : 'started';
}

/** Every elementary cycle reachable in the graph, each once, as `[a, b, a]`. */
export function findCycles(services: Record<string, ServiceSpec>): string[][] {
  const cycles: string[][] = [];
  const seen = new Set<string>();
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): void => {
    state.set(name, 'visiting');
    stack.push(name);
    for (const dep of services[name]?.dependsOn ?? []) {
      if (!(dep.service in services)) continue;
      const s = state.get(dep.service);
      if (s === 'visiting') {
        const cycle = [...stack.slice(stack.indexOf(dep.service)), dep.service];
        const key = canonical(cycle);
        if (!seen.has(key)) {
          seen.add(key);
          cycles.push(cycle);
        }
      } else if (s === undefined) visit(dep.service);
    }
    stack.pop();
    state.set(name, 'done');
  };
  for (const name of Object.keys(services)) if (!state.has(name)) visit(name);
  return cycles;
}

function canonical(cycle: string[]): string {
  const ring = cycle.slice(0, -1);
  const min = ring.reduce((m, name, i) => (name < (ring[m] ?? '') ? i : m), 0);
  return [...ring.slice(min), ...ring.slice(0, min)].join('\u0000');
}

/** Dependencies first; ties broken by declaration order. Services in a cycle are left out. */
export function startOrder(services: Record<string, ServiceSpec>): string[] {
  const names = Object.keys(services);
  const remaining = new Set(names);
  const order: string[] = [];
  for (;;) {
    const next = names.find(
      (n) =>
        remaining.has(n) &&
        (services[n]?.dependsOn ?? []).every((d) => !remaining.has(d.service) || !(d.service in services)),
    );
    if (next === undefined) break;
    remaining.delete(next);
    order.push(next);
  }
  return order;
}

export interface GraphEdge {
  from: string;
  to: string;
  condition: DependencyCondition;
}

/** Edges `from` (dependent) → `to` (dependency), in start order of `from`. */
export function graphEdges(contract: Contract): GraphEdge[] {
  return contract.startOrder.flatMap((from) =>
    (contract.services[from]?.dependsOn ?? []).map((d) => ({ from, to: d.service, condition: d.condition })),
  );
}
