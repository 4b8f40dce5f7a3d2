/** Rows of the plugin's tables and the queries on them; every query is scoped by tenant. */
import type { Knex } from 'knex';
import type { EmojiFormat } from '../pack/types.ts';

export const PACKS = 'custom_emoji_packs';
export const EMOJI = 'custom_emoji_emoji';

export type Db = Knex | Knex.Transaction;

export interface PackRow {
  id: string;
  tenant_id: string;
  name: string;
  position: number;
  created_at: Date;
  deleted_at: Date | null;
}

export interface EmojiRow {
  id: string;
  tenant_id: string;
  pack_id: string;
  name: string;
  file_id: string;
  thumbnail_file_id: string;
  format: EmojiFormat;
  width: number;
  height: number;
  animated: boolean;
  size: number;
  position: number;
}

export type NewEmojiRow = Omit<EmojiRow, 'id'>;

export function livePacks(db: Db, tenantId: string): Promise<PackRow[]> {
  return db<PackRow>(PACKS).where({ tenant_id: tenantId }).whereNull('deleted_at').orderBy([{ column: 'position' }, { column: 'created_at' }]);
}

export function livePack(db: Db, tenantId: string, id: string): Promise<PackRow | undefined> {
  return db<PackRow>(PACKS).where({ tenant_id: tenantId, id }).whereNull('deleted_at').first();
}

export async function countLivePacks(db: Db, tenantId: string): Promise<number> {
  const row = await db(PACKS).where({ tenant_id: tenantId }).whereNull('deleted_at').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

export async function liveNameTaken(db: Db, tenantId: string, name: string, exceptId?: string): Promise<boolean> {
  const q = db(PACKS).where({ tenant_id: tenantId }).whereNull('deleted_at').whereRaw('lower(name) = lower(?)', [name]);
  if (exceptId) q.whereNot({ id: exceptId });
  return !!(await q.first('id'));
}

export function emojiOfPacks(db: Db, tenantId: string, packIds: string[]): Promise<EmojiRow[]> {
  if (!packIds.length) return Promise.resolve([]);
  return db<EmojiRow>(EMOJI).where({ tenant_id: tenantId }).whereIn('pack_id', packIds).orderBy([{ column: 'pack_id' }, { column: 'position' }]);
}

/** Any emoji of the tenant, of a deleted pack too (messages that used it keep showing it). */
export function emojiById(db: Db, tenantId: string, id: string): Promise<EmojiRow | undefined> {
  return db<EmojiRow>(EMOJI).where({ tenant_id: tenantId, id }).first();
}

/** An emoji that can still be sent: its pack is live. */
export function liveEmoji(db: Db, tenantId: string, packId: string, id: string): Promise<EmojiRow | undefined> {
  return db<EmojiRow>(`${EMOJI} as e`)
    .join(`${PACKS} as p`, 'p.id', 'e.pack_id')
    .where({ 'e.tenant_id': tenantId, 'e.id': id, 'e.pack_id': packId, 'p.tenant_id': tenantId })
    .whereNull('p.deleted_at')
    .first('e.*');
}

/** Serialises pack changes of one tenant (the pack count and positions are read, then written). */
export async function lockTenantPacks(trx: Knex.Transaction, tenantId: string): Promise<void> {
  await trx.raw('select pg_advisory_xact_lock(hashtextextended(?, 0))', [`custom-emoji:${tenantId}`]);
}
