/**
 * Built-in plugins use the kernel through its API, as a third-party plugin must: no plugin's code
 * reads or writes a kernel table (its migrations may still reference one by foreign key). What a
 * built-in plugin needed from such a table is what the API was missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { createTestApp } from '../helpers/app.ts';

const root = path.resolve(import.meta.dirname, '../..');

/** Every .ts/.js file of a plugin's server side: its entry and `src/`, not its tests, migrations or UI. */
function serverFiles(pluginDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|js)$/.test(e.name)) out.push(p);
    }
  };
  for (const entry of ['server.ts', 'server.js']) if (fs.existsSync(path.join(pluginDir, entry))) out.push(path.join(pluginDir, entry));
  if (fs.existsSync(path.join(pluginDir, 'src'))) walk(path.join(pluginDir, 'src'));
  return out;
}

t.test('no plugin reaches into a kernel table', async (t) => {
  const app = await createTestApp(t);
  const kernel: string[] = (await app.db.knex('schema_tables').where({ ledger: 'core' }).pluck('table_name')).filter((n: string) => !n.startsWith('schema_'));
  t.ok(kernel.includes('visitors') && kernel.includes('members'), 'the kernel tables are known');
  const names = kernel.join('|');
  // A query builder on the table (`knex('members')`, `trx("visitors")`) or SQL naming it.
  const uses = new RegExp(`\\(\\s*['"\`](${names})['"\`]\\s*\\)|\\b(?:from|join|into|update)\\s+(${names})\\b`, 'i');
  const plugins = fs.readdirSync(path.join(root, 'plugins'), { withFileTypes: true }).filter((d) => d.isDirectory());
  t.ok(plugins.some((p) => p.name === 'conversations'), 'the built-in plugins are scanned');
  const found: string[] = [];
  for (const p of plugins) {
    for (const file of serverFiles(path.join(root, 'plugins', p.name))) {
      fs.readFileSync(file, 'utf8').split('\n').forEach((line, i) => {
        const code = line.replace(/\/\/.*$/, '').replace(/^\s*\*.*$/, '');
        if (uses.test(code)) found.push(`${path.relative(root, file)}:${i + 1}: ${line.trim()}`);
      });
    }
  }
  t.same(found, [], 'kernel tables are reached only through the kernel API (ctx.auth, ctx.members, ctx.files, …)');
});
