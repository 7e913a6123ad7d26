/**
 * migrate — the one-shot schema push (Diffie's `dev:push`): creates the database named in
 * DATABASE_URL if it does not exist, then applies db/schema.sql under an advisory lock. Idempotent,
 * so it runs on every start; exits 0 when the schema is current (factory marks it `completed`).
 */
import { readFile } from 'node:fs/promises';
import pg from 'pg';
import { logger, requireEnv } from '../lib/env.mjs';

const log = logger('migrate');
const databaseUrl = requireEnv('DATABASE_URL');
const target = new URL(databaseUrl);
const dbName = decodeURIComponent(target.pathname.slice(1));

async function ensureDatabase() {
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [dbName]);
    if (rowCount === 0) {
      try {
        await client.query(`CREATE DATABASE ${pg.escapeIdentifier(dbName)}`);
        log(`created database ${dbName}`);
      } catch (error) {
        if (error.code !== '42P04') throw error; // created concurrently: fine
      }
    }
  } finally {
    await client.end();
  }
}

async function applySchema() {
  const sql = await readFile(new URL('../db/schema.sql', import.meta.url), 'utf8');
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock(7421)');
    await client.query(sql);
    await client.query('SELECT pg_advisory_unlock(7421)');
  } finally {
    await client.end();
  }
}

try {
  const started = Date.now();
  await ensureDatabase();
  await applySchema();
  log(`schema is current in ${dbName} (${Date.now() - started} ms)`);
} catch (error) {
  log(`migration failed: ${error.message}`);
  process.exitCode = 1;
}
