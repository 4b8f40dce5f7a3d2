/** The cold-start baseline: a bare fastify app answering /healthz, plain JavaScript started with `node`. */
import Fastify from 'fastify';

const app = Fastify();
app.get('/healthz', async () => ({ status: 'ok' }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.once('SIGTERM', () => { void app.close().then(() => process.exit(0)); });
