/**
 * What `factory test` needs from the runtime, as one small interface: is the instance up, start
 * some of its services, stop it, and its environment. ./runtime-control.ts implements it with the
 * runtime (src/services); tests of the engine can drive a real instance through the same shape.
 */
export interface InstanceControl {
  /** Names of the services that are ready now (running and healthy, or completed one-shots). */
  readyServices(): Promise<Set<string>>;
  /** Whether the instance has a live supervisor (anything running). */
  isRunning(): Promise<boolean>;
  /** Start these services (and what they depend on) and wait until they are ready; abort = give up and stop them. */
  start(services: string[], signal?: AbortSignal): Promise<void>;
  /** Stop the whole instance. */
  stop(): Promise<void>;
  /** The instance environment with its leased ports, or undefined when it holds no lease. */
  env(): Promise<Record<string, string> | undefined>;
}
