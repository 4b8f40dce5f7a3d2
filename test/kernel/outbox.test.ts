import t from 'tap';
import { createTestApp } from '../helpers/app.ts';

const app = await createTestApp(t);
const knex = app.kernel.knex;
const outbox = app.kernel.outbox;

t.test('events are read per tenant, oldest first, and leave with their tenant', async (t) => {
  const a = await app.tenant('outbox-a');
  const b = await app.tenant('outbox-b');
  const first = await outbox.record(knex, a.id, 'test', 'test.one', { n: 1 });
  await outbox.record(knex, b.id, 'test', 'test.one', { n: 2 });
  await outbox.record(knex, a.id, 'test', 'test.two', { n: 3 });
  t.same((await outbox.after(knex, a.id, 0)).filter((e) => e.source === 'test').map((e) => e.payload), [{ n: 1 }, { n: 3 }]);
  t.same((await outbox.after(knex, a.id, first)).filter((e) => e.source === 'test').map((e) => e.type), ['test.two']);

  await knex.raw('delete from tenants where id = ?', [a.id]);
  t.equal((await knex('domain_events').where({ tenant_id: a.id })).length, 0, "a deleted tenant's events are gone");
  t.equal((await knex('domain_events').where({ tenant_id: b.id, source: 'test' })).length, 1, "the other tenant's stay");
});

// The tenant's row is shared by every write of the tenant: an event must not lock it.
t.test('writing an event does not lock the tenant row', { skip: app.db.kind !== 'postgres' && 'needs two connections at once (PostgreSQL)' }, async (t) => {
  const c = await app.tenant('outbox-c');
  await knex.transaction(async (trx) => {
    await outbox.record(trx, c.id, 'test', 'test.locked', {});
    // Another connection of the pool, outside the open transaction.
    const locked = await knex.transaction((o) => o.raw('select id from tenants where id = ? for update nowait', [c.id]));
    t.equal(locked.rows.length, 1, 'another transaction takes the row at once while the event is uncommitted');
  });
});
