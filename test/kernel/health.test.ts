import t from 'tap';
import { createTestApp } from '../helpers/app.ts';

t.test('healthz answers ok and unknown routes answer the error shape', async (t) => {
  const app = await createTestApp(t);
  const res = await app.request({ method: 'GET', url: '/healthz' });
  t.equal(res.statusCode, 200);
  t.same(res.json(), { status: 'ok' });
  const missing = await app.request({ method: 'GET', url: '/nope' });
  t.equal(missing.statusCode, 404);
  t.match(missing.json(), { statusCode: 404, code: 'NOT_FOUND', message: String });
});
