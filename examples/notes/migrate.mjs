/**
 * migrate — the one-shot schema push: creates the notes table if it is missing. Idempotent, so it
 * runs on every start; exit 0 = `completed` for factory.
 */
import pg from 'pg';

const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
await client.connect();
try {
  await client.query(`CREATE TABLE IF NOT EXISTS notes (
    id serial PRIMARY KEY,
    text text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
  )`);
  console.log('migrate: schema is current');
} finally {
  await client.end();
}
