import t from 'tap';
import { SessionFactsCache } from '../src/services/session-facts.ts';
import type { SessionFacts } from '../src/types.ts';

const facts = (patch: Partial<SessionFacts> = {}): SessionFacts => ({
  id: 's1', tenant_id: 't1', visitor_id: 'v1', visitor_name: 'Ann', agent_id: 'a1', agent_name: 'Bo', state: 'active', ...patch,
});

t.test('an unchanged session keeps its entry; a change replaces it', async (t) => {
  const cache = new SessionFactsCache();
  cache.set('t1', 's1', facts());
  const first = cache.get('t1', 's1');
  cache.set('t1', 's1', facts());
  t.equal(cache.get('t1', 's1'), first, 'same facts: the entry is not copied again');

  for (const patch of [{ state: 'closed' as const }, { agent_id: 'a2', agent_name: 'Cy' }, { visitor_name: 'Ann B.' }]) {
    cache.set('t1', 's1', facts(patch));
    t.match(cache.get('t1', 's1'), patch, `replaced on ${Object.keys(patch).join(', ')}`);
  }
  t.equal(cache.get('t2', 's1'), undefined, 'entries are per tenant');
});

t.test('the oldest entry makes room when the cache is full', async (t) => {
  const cache = new SessionFactsCache(2);
  cache.set('t1', 'a', facts({ id: 'a' }));
  cache.set('t1', 'b', facts({ id: 'b' }));
  cache.set('t1', 'c', facts({ id: 'c' }));
  t.equal(cache.get('t1', 'a'), undefined);
  t.equal(cache.get('t1', 'b')?.id, 'b');
  t.equal(cache.get('t1', 'c')?.id, 'c');
});
