/**
 * Reading configuration from the environment. Every Diffie process gets its ports, URLs and
 * secrets only from environment variables (factory.yaml or dev.sh sets them), so a missing one is
 * reported by name at start instead of surfacing later as a connection to the wrong place.
 */

/** The value of `name`, or exit 78 (EX_CONFIG) naming the variable. */
export function requireEnv(name) {
  const value = process.env[name];
  if (value === undefined || value === '') {
    console.error(`[diffie] missing environment variable ${name}`);
    process.exit(78);
  }
  return value;
}

/** A TCP port from the environment (`API_PORT` …). */
export function requirePort(name) {
  const raw = requireEnv(name);
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    console.error(`[diffie] ${name}=${raw} is not a port`);
    process.exit(78);
  }
  return port;
}

/** Log one line with the service's name and a timestamp (the supervisor keeps the log files). */
export function logger(service) {
  return (...parts) => console.log(`${new Date().toISOString()} [${service}]`, ...parts);
}

/** Close `server`s and pools on SIGTERM/SIGINT so the service stops within its grace period. */
export function onShutdown(log, close) {
  let closing = false;
  const handler = (signal) => {
    if (closing) return;
    closing = true;
    log(`${signal}: shutting down`);
    Promise.resolve()
      .then(close)
      .catch((error) => log('error during shutdown:', error.message))
      .finally(() => process.exit(0));
  };
  process.on('SIGTERM', handler);
  process.on('SIGINT', handler);
}
