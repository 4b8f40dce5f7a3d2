import type { Tenant } from '../models/index.ts';

export function tenantView(t: Tenant) {
  return { id: t.id, slug: t.slug, name: t.name, edition: t.edition, addons: t.addons, seats: t.seats, createdAt: new Date(t.created_at).toISOString() };
}
