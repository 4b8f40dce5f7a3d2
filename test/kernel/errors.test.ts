import t, { type Test } from 'tap';
import { createTestApp } from '../helpers/app.ts';

const app = await createTestApp(t);
const acme = await app.tenant('acme');
const json = { 'content-type': 'application/json' };
const raw = (method: string, url: string, payload: string | Buffer, headers: Record<string, string> = json, token?: string) =>
  app.http.inject({ method: method as 'POST', url, payload, headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });

/** Every error answers JSON with exactly these keys. */
const errorShape = (t: Test, res: { statusCode: number; headers: Record<string, unknown>; json(): unknown }, status: number, code: string) => {
  t.equal(res.statusCode, status, code);
  t.match(res.headers['content-type'], /^application\/json/);
  const body = res.json() as Record<string, unknown>;
  t.equal(body.statusCode, status);
  t.equal(body.code, code);
  t.type(body.message, 'string');
  t.same(Object.keys(body).filter((k) => !['statusCode', 'code', 'message', 'field'].includes(k)), [], 'nothing else in the body');
  return body;
};

t.test('malformed JSON is 400 INVALID_JSON', async (t) => {
  errorShape(t, await raw('POST', '/api/auth/login', '{"tenant": "acme", "email":'), 400, 'INVALID_JSON');
  errorShape(t, await raw('POST', '/api/auth/login', '{tenant: acme}'), 400, 'INVALID_JSON');
  errorShape(t, await raw('POST', '/api/members', '[1,2', json, acme.adminToken), 400, 'INVALID_JSON');
  errorShape(t, await raw('POST', '/api/auth/login', ''), 400, 'INVALID_JSON');
});

t.test('validation errors name the field', async (t) => {
  const missing = errorShape(t, await app.request({ method: 'POST', url: '/api/auth/login', body: { tenant: 'acme', password: 'x' } }), 400, 'VALIDATION_FAILED');
  t.equal(missing.field, 'email');
  t.match(missing.message, /email/);
  const wrongType = errorShape(t, await app.request({ method: 'POST', url: '/api/auth/login', body: { tenant: 'acme', email: 'a@b.c', password: 'x', remember: 'sometimes' } }), 400, 'VALIDATION_FAILED');
  t.equal(wrongType.field, 'remember');
  const nested = errorShape(t, await app.request({ method: 'POST', url: '/api/visitor/session', body: { tenant: 'acme', identity: { externalId: '', signature: 'x' } } }), 400, 'VALIDATION_FAILED');
  t.equal(nested.field, 'identity.externalId');
  const tooLong = errorShape(t, await app.request({ method: 'POST', url: '/api/roles', token: acme.adminToken, body: { name: 'x'.repeat(101), grants: [] } }), 400, 'VALIDATION_FAILED');
  t.equal(tooLong.field, 'name');
  const arrayItem = errorShape(t, await app.request({ method: 'POST', url: '/api/roles', token: acme.adminToken, body: { name: 'R', grants: ['settings', ''] } }), 400, 'VALIDATION_FAILED');
  t.equal(arrayItem.field, 'grants.1');
  const notObject = errorShape(t, await raw('POST', '/api/auth/login', '"just a string"'), 400, 'VALIDATION_FAILED');
  t.ok(notObject.field, 'names where the problem is');
});

t.test('a body over the limit is 413 BODY_TOO_LARGE', async (t) => {
  const big = JSON.stringify({ tenant: 'acme', email: 'a@acme.test', password: 'x'.repeat(1024 * 1024 + 10) });
  errorShape(t, await raw('POST', '/api/auth/login', big), 413, 'BODY_TOO_LARGE');
  const bigForMember = JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), grants: [] });
  errorShape(t, await raw('POST', '/api/roles', bigForMember, json, acme.adminToken), 413, 'BODY_TOO_LARGE');
  const roles = await app.kernel.knex('roles').where({ tenant_id: acme.id });
  t.equal(roles.length, 2, 'nothing was created');
  const anonymous = await raw('POST', '/api/roles', bigForMember, json);
  t.equal(anonymous.statusCode, 401, 'an unauthenticated caller is turned away before the body is read');
});

t.test('other request errors keep the shape', async (t) => {
  errorShape(t, await raw('POST', '/api/auth/login', '<login tenant="acme"/>', { 'content-type': 'application/xml' }), 415, 'UNSUPPORTED_MEDIA_TYPE');
  errorShape(t, await app.request({ method: 'GET', url: '/api/nothing-here' }), 404, 'NOT_FOUND');
  errorShape(t, await app.request({ method: 'GET', url: '/api/members' }), 401, 'UNAUTHENTICATED');
  errorShape(t, await app.request({ method: 'GET', url: '/api/members', token: 'ps_not-a-session' }), 401, 'UNAUTHENTICATED');
  errorShape(t, await app.request({ method: 'GET', url: '/api/members', token: acme.adminToken, headers: { authorization: 'Basic abc' } }), 401, 'UNAUTHENTICATED');
});

t.test('malformed ids are 404, not a database error', async (t) => {
  const ids = ['------------------------------------', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '00000000-0000-0000-0000-00000000000g', "1' or '1'='1"];
  for (const id of ids) {
    const url = encodeURIComponent(id);
    errorShape(t, await app.request({ method: 'PATCH', url: `/api/members/${url}`, token: acme.adminToken, body: { name: 'X' } }), 404, 'MEMBER_NOT_FOUND');
    errorShape(t, await app.request({ method: 'DELETE', url: `/api/api-keys/${url}`, token: acme.adminToken }), 404, 'API_KEY_NOT_FOUND');
    errorShape(t, await app.request({ method: 'DELETE', url: `/api/roles/${url}`, token: acme.adminToken }), 404, 'ROLE_NOT_FOUND');
    errorShape(t, await app.operator('GET', `/api/operator/tenants/${url}`), 404, 'TENANT_NOT_FOUND');
  }
});
