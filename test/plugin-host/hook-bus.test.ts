/**
 * The hook bus on its own: filters in priority order, failing handlers logged and contained,
 * delivery only to owners enabled for the tenant.
 */
import t from 'tap';
import { Writable } from 'node:stream';
import pino from 'pino';
import { HookBus, KERNEL_OWNER } from '../../core/hooks/hook-bus.ts';

/** A real pino logger whose lines the test can read. */
function capturedLog() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { log: pino({ level: 'info' }, stream), lines };
}

/** Plugins enabled per tenant, as the plugin state service answers. */
const enabledFor = (table: Record<string, string[]>) => async (tenantId: string) => new Set(table[tenantId] ?? []);

const A = 'tenant-a';
const B = 'tenant-b';

t.test('filters run in priority order (lower first, then registration order) and each sees the previous result', async (t) => {
  const { log } = capturedLog();
  const bus = new HookBus(enabledFor({ [A]: ['p1', 'p2'] }), log);
  const order: string[] = [];
  const tag = (name: string) => (value: Record<string, unknown>) => {
    order.push(name);
    return { ...value, trail: [...((value.trail as string[]) ?? []), name] };
  };
  bus.addFilter('p1', 'console.bootstrap', tag('p1@200'), 200);
  bus.addFilter('p2', 'console.bootstrap', tag('p2@50'), 50);
  bus.addFilter(KERNEL_OWNER, 'console.bootstrap', tag('core@100'));
  bus.addFilter('p1', 'console.bootstrap', tag('p1@100'), 100);
  const out = await bus.filter('console.bootstrap', { tenantId: A }, { start: true });
  t.same(out, { start: true, trail: ['p2@50', 'core@100', 'p1@100', 'p1@200'] });
  t.same(await bus.recipients('filter', 'console.bootstrap', A), ['p2', 'core', 'p1', 'p1']);
  // A filter that returns nothing leaves the value as it was.
  bus.addFilter(KERNEL_OWNER, 'console.bootstrap', () => undefined as never, 300);
  t.same(await bus.filter('console.bootstrap', { tenantId: A }, {}), { trail: ['p2@50', 'core@100', 'p1@100', 'p1@200'] });
});

t.test('a failing filter is logged and skipped; the next one gets the value it was given', async (t) => {
  const { log, lines } = capturedLog();
  const bus = new HookBus(enabledFor({ [A]: ['good', 'bad'] }), log);
  bus.addFilter('good', 'console.bootstrap', (v) => ({ ...v, first: true }), 10);
  bus.addFilter('bad', 'console.bootstrap', () => {
    throw new Error('boom');
  }, 20);
  bus.addFilter('bad', 'console.bootstrap', async () => {
    throw new Error('async boom');
  }, 25);
  bus.addFilter('good', 'console.bootstrap', (v) => ({ ...v, last: true }), 30);
  t.same(await bus.filter('console.bootstrap', { tenantId: A }, {}), { first: true, last: true });
  const failures = lines.filter((l) => l.msg === 'filter handler failed; value passed on unchanged');
  t.equal(failures.length, 2);
  t.match(failures[0], { level: 50, hook: 'console.bootstrap', owner: 'bad', err: { message: 'boom' } });
});

t.test('a failing action handler is logged; the others and the caller carry on', async (t) => {
  const { log, lines } = capturedLog();
  const bus = new HookBus(enabledFor({ [A]: ['p1', 'p2', 'p3'] }), log);
  const ran: string[] = [];
  bus.onAction('p1', 'member.created', () => {
    ran.push('p1');
  });
  bus.onAction('p2', 'member.created', () => {
    throw new Error('sync failure');
  });
  bus.onAction('p3', 'member.created', async () => {
    await new Promise((r) => setTimeout(r, 5));
    throw new Error('async failure');
  });
  bus.onAction(KERNEL_OWNER, 'member.created', async ({ memberId }) => {
    ran.push(`core:${memberId}`);
  });
  await t.resolves(bus.action('member.created', { tenantId: A }, { memberId: 'm1', roleKey: 'agent' }));
  t.same(ran.sort(), ['core:m1', 'p1']);
  const failures = lines.filter((l) => l.msg === 'action handler failed');
  t.same(failures.map((l) => l.owner).sort(), ['p2', 'p3']);
  t.match(failures.find((l) => l.owner === 'p3'), { hook: 'member.created', err: { message: 'async failure' } });
});

t.test('handlers reach only tenants that have their plugin enabled; the kernel\'s reach every tenant', async (t) => {
  const { log } = capturedLog();
  const bus = new HookBus(enabledFor({ [A]: ['notes'], [B]: [] }), log);
  const ran: string[] = [];
  bus.onAction('notes', 'member.created', (_p, { tenantId }) => void ran.push(`notes@${tenantId}`));
  bus.onAction(KERNEL_OWNER, 'member.created', (_p, { tenantId }) => void ran.push(`core@${tenantId}`));
  bus.addFilter('notes', 'console.bootstrap', (v) => ({ ...v, notes: true }));
  await bus.action('member.created', { tenantId: A }, { memberId: 'm', roleKey: 'agent' });
  await bus.action('member.created', { tenantId: B }, { memberId: 'm', roleKey: 'agent' });
  t.same(ran, ['notes@tenant-a', 'core@tenant-a', 'core@tenant-b']);
  t.same(await bus.filter('console.bootstrap', { tenantId: B }, {}), {});
  t.same(await bus.filter('console.bootstrap', { tenantId: A }, {}), { notes: true });
  t.same(await bus.recipients('action', 'member.created', B), [KERNEL_OWNER]);
  t.same(await bus.recipients('action', 'visitor.created', A), [], 'no handlers, nobody');
  t.same(bus.registrations().filter((r) => r.owner === 'notes'), [
    { kind: 'action', name: 'member.created', owner: 'notes' },
    { kind: 'filter', name: 'console.bootstrap', owner: 'notes' },
  ]);
});

t.test('when the enabled set cannot be read, an action is logged and dropped, never thrown at the caller', async (t) => {
  const { log, lines } = capturedLog();
  const bus = new HookBus(async () => {
    throw new Error('database down');
  }, log);
  let ran = false;
  bus.onAction('p', 'member.created', () => {
    ran = true;
  });
  await t.resolves(bus.action('member.created', { tenantId: A }, { memberId: 'm', roleKey: 'agent' }));
  t.notOk(ran);
  t.match(lines, [{ msg: 'could not resolve action handlers', err: { message: 'database down' } }]);
});
