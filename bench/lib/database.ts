/** A fresh PostgreSQL database for one bench run (when DATABASE_URL is set), dropped afterwards. */
import crypto from 'node:crypto';
import pg from 'pg';

export interface BenchDatabase { url: string; drop(): Promise<void> }

export async function createDatabase(serverUrl: string, prefix = 'parley_bench'): Promise<BenchDatabase> {
  const name = `${prefix}_${crypto.randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: serverUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}
