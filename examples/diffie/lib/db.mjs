/**
 * PostgreSQL access shared by the services. A pool that survives the database going away: pg
 * emits 'error' on idle clients when the server dies, which would crash the process if unhandled;
 * queries fail while the server is down and succeed again once it is back (new connections).
 */
import pg from 'pg';

export function createPool(databaseUrl, log) {
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max: 5,
    connectionTimeoutMillis: 2000,
    idleTimeoutMillis: 10_000,
  });
  pool.on('error', (error) => log('idle database connection lost:', error.message));
  return pool;
}

/**
 * A dedicated LISTEN connection that reconnects with backoff. `onState(true|false)` reports whether
 * it is listening, so health endpoints can tell the truth.
 */
export function listen(databaseUrl, channels, onNotification, { log, onState = () => {} }) {
  let client;
  let stopped = false;
  let delay = 100;
  let timer;

  const connect = async () => {
    if (stopped) return;
    const c = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 2000 });
    c.on('notification', onNotification);
    const lost = (reason) => {
      if (client !== c) return;
      client = undefined;
      onState(false);
      log(`listen connection lost (${reason}); reconnecting`);
      c.end().catch(() => {});
      schedule();
    };
    c.on('error', (error) => lost(error.message));
    c.on('end', () => lost('closed'));
    try {
      await c.connect();
      for (const channel of channels) await c.query(`LISTEN ${pg.escapeIdentifier(channel)}`);
      client = c;
      delay = 100;
      onState(true);
      log(`listening on ${channels.join(', ')}`);
    } catch (error) {
      c.end().catch(() => {});
      log(`cannot listen yet: ${error.message}`);
      schedule();
    }
  };
  const schedule = () => {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(connect, delay);
    delay = Math.min(delay * 2, 2000);
  };
  void connect();
  return {
    isListening: () => client !== undefined,
    async close() {
      stopped = true;
      clearTimeout(timer);
      const c = client;
      client = undefined;
      if (c) await c.end().catch(() => {});
    },
  };
}
