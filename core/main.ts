/** `npm start`: runs Parley until SIGINT/SIGTERM, then shuts down gracefully. */
import { loadConfig, ConfigError } from '../config/index.ts';
import { databaseTarget, openDatabase } from './db/connect.ts';
import { withFirstStartTemplate } from './db/pglite-template.ts';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`parley: ${err.message}`);
      process.exit(1);
    }
    throw err;
  }
  // PGlite compiles its WebAssembly on background threads: opened before the rest of Parley
  // loads, the two overlap instead of adding up.
  const db = openDatabase(withFirstStartTemplate(databaseTarget(config)));
  db.catch(() => undefined);
  const [{ buildApp }, { seedDemoTenant }] = await Promise.all([import('./app.ts'), import('./demo-seed.ts')]);
  const app = await buildApp({ config, db: await db });
  const demo = config.seedDemo ? await seedDemoTenant(app.kernel) : null;
  await app.listen();
  const consoleUrl = `${config.publicUrl}/console/`;
  app.kernel.log.info({ url: config.publicUrl, database: app.db.kind }, 'Parley is running');
  if (demo) {
    // Printed once, on the very first start: the password is not stored anywhere readable.
    console.log(`\n  Parley is ready: ${consoleUrl}\n  Tenant: ${demo.tenant}   Email: ${demo.email}   Password: ${demo.password}\n`);
  } else {
    console.log(`\n  Parley is running: ${consoleUrl}\n`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.kernel.log.info({ signal }, 'shutting down');
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((err) => {
  console.error('parley: failed to start:', err instanceof Error ? err.message : err);
  process.exit(1);
});
