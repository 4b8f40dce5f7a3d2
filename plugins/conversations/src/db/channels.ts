/** Channels a session comes from. Only the tenant's default web channel exists in v1. */
import { T, type Db } from './tables.ts';

export interface ChannelRow {
  id: string;
  tenant_id: string;
  kind: string;
  key: string;
  name: string;
}

/** The tenant's web channel, created on first use. */
export async function webChannel(db: Db, tenantId: string): Promise<ChannelRow> {
  const found = await db(T.channels).where({ tenant_id: tenantId, kind: 'web', key: 'default' }).first();
  if (found) return found;
  await db(T.channels).insert({ tenant_id: tenantId, kind: 'web', key: 'default', name: 'Web' }).onConflict(['tenant_id', 'kind', 'key']).ignore();
  return db(T.channels).where({ tenant_id: tenantId, kind: 'web', key: 'default' }).first();
}
