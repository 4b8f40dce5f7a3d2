import t from 'tap';
import { connect, disconnected, request } from '../helpers/sockets.ts';
import { operator, post, startParley } from './fixtures/spawn-parley.ts';

const skip = process.env.REDIS_URL ? false : 'REDIS_URL is not set (CI sets it; this test needs a Redis server)';
// Child processes build a whole Parley each; on a busy machine that takes a while.
t.setTimeout(600_000);

t.test('a Parley process on Redis shuts down cleanly on SIGTERM', { skip }, async (t) => {
  // PGlite in memory in the child: this test is about Redis and shutdown, not the database.
  const child = await startParley(t, { DATABASE_URL: '' });
  await operator(child.url, 'POST', '/api/operator/tenants', { slug: 'acme', name: 'Acme', edition: 'standard', seats: 5, addons: [] });
  const visitor = await post(child.url, '/api/visitor/session', { tenant: 'acme' });
  const socket = await connect(t, child.url, 'visitor', { token: visitor.token as string });
  t.equal((await request(socket, 'test.pid')).data, child.pid);
  const gone = disconnected(socket);
  const result = await child.stop(15_000);
  t.same({ code: result.code, signal: result.signal, closed: result.closed }, { code: 0, signal: null, closed: true }, `exits by itself, no handle left open (${result.ms} ms)`);
  t.equal(await gone, 'transport close');
  t.notMatch(child.stderr(), /"level":(50|60)/, 'no error logged');
});
