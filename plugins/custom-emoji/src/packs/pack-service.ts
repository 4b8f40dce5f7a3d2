/**
 * Emoji packs of a tenant: create from a validated pack (everything in one transaction, so a pack is
 * stored whole or not at all), list, rename, reorder, delete. At most MAX_PACKS live packs.
 *
 * Deleting a pack hides it from pickers and refuses new messages with its emoji, but keeps its rows
 * and files: messages already sent keep showing the emoji (the file store has no delete either).
 */
import type { Knex } from 'knex';
import type { PluginContext } from '../../../../core/plugin-host/context.ts';
import type { Clock } from '../../../../core/clock.ts';
import { isUuid } from '../../../../core/http/ids.ts';
import { packErrors } from '../errors.ts';
import { MAX_GIF_BYTES, MAX_PACKS } from '../limits.ts';
import type { EmojiFormat, PackEmoji } from '../pack/types.ts';
import { cleanPackName } from './pack-name.ts';
import {
  EMOJI,
  PACKS,
  countLivePacks,
  emojiById,
  emojiOfPacks,
  liveEmoji,
  liveNameTaken,
  livePack,
  livePacks,
  lockTenantPacks,
  type EmojiRow,
  type NewEmojiRow,
  type PackRow,
} from './pack-tables.ts';

export interface Emoji {
  id: string;
  packId: string;
  name: string;
  format: EmojiFormat;
  width: number;
  height: number;
  animated: boolean;
  /** Bytes of the original image. */
  size: number;
}

export interface Pack {
  id: string;
  name: string;
  position: number;
  createdAt: string;
  emoji: Emoji[];
}

type Files = Pick<PluginContext['files'], 'save'>;

const ORIGINAL_TYPES: Record<EmojiFormat, string> = { png: 'image/png', jpeg: 'image/jpeg', gif: 'image/gif' };
const EXTENSION: Record<EmojiFormat, string> = { png: 'png', jpeg: 'jpg', gif: 'gif' };

const naturalOrder = new Intl.Collator('en', { numeric: true, sensitivity: 'base' });

function emojiOf(row: EmojiRow): Emoji {
  return { id: row.id, packId: row.pack_id, name: row.name, format: row.format, width: row.width, height: row.height, animated: row.animated, size: row.size };
}

function packOf(row: PackRow, emoji: EmojiRow[]): Pack {
  return { id: row.id, name: row.name, position: row.position, createdAt: new Date(row.created_at).toISOString(), emoji: emoji.map(emojiOf) };
}

export class PackService {
  constructor(
    private readonly knex: Knex,
    private readonly files: Files,
    private readonly clock: Clock,
  ) {}

  /** The tenant's live packs in order, each with its emoji in order. */
  async list(tenantId: string): Promise<Pack[]> {
    const packs = await livePacks(this.knex, tenantId);
    const emoji = await emojiOfPacks(this.knex, tenantId, packs.map((p) => p.id));
    return packs.map((p) => packOf(p, emoji.filter((e) => e.pack_id === p.id)));
  }

  async get(tenantId: string, id: string, db: Knex | Knex.Transaction = this.knex): Promise<Pack> {
    const row = isUuid(id) ? await livePack(db, tenantId, id) : undefined;
    if (!row) throw packErrors.notFound();
    return packOf(row, await emojiOfPacks(db, tenantId, [row.id]));
  }

  /** Refuses early (before an upload is read) when the tenant has no room for another pack. */
  async assertRoom(tenantId: string): Promise<void> {
    if ((await countLivePacks(this.knex, tenantId)) >= MAX_PACKS) throw packErrors.limitReached();
  }

  /** Stores a pack that passed `validatePack`: its rows and every original and thumbnail, or nothing. */
  async create(tenantId: string, rawName: string, emoji: PackEmoji[]): Promise<Pack> {
    const name = cleanPackName(rawName);
    const ordered = [...emoji].sort((a, b) => naturalOrder.compare(a.sourcePath, b.sourcePath));
    return this.knex.transaction(async (trx) => {
      await lockTenantPacks(trx, tenantId);
      const live = await livePacks(trx, tenantId);
      if (live.length >= MAX_PACKS) throw packErrors.limitReached();
      if (await liveNameTaken(trx, tenantId, name)) throw packErrors.nameTaken(name);
      const position = live.reduce((max, p) => Math.max(max, p.position + 1), 0);
      const [pack] = await trx<PackRow>(PACKS).insert({ tenant_id: tenantId, name, position, created_at: this.clock.now() }).returning('*');

      const rows: NewEmojiRow[] = [];
      for (const [i, e] of ordered.entries()) {
        const original = await this.files.save(
          { tenantId, filename: `${e.name}.${EXTENSION[e.format]}`, data: e.bytes, allowedTypes: [ORIGINAL_TYPES[e.format]], maxBytes: MAX_GIF_BYTES },
          trx,
        );
        const thumbnail = await this.files.save({ tenantId, filename: `${e.name}.webp`, data: e.thumbnail, allowedTypes: ['image/webp'] }, trx);
        rows.push({
          tenant_id: tenantId, pack_id: pack!.id, name: e.name, file_id: original.id, thumbnail_file_id: thumbnail.id,
          format: e.format, width: e.width, height: e.height, animated: e.animated, size: e.bytes.length, position: i,
        });
      }
      await trx(EMOJI).insert(rows);
      return this.get(tenantId, pack!.id, trx);
    });
  }

  async rename(tenantId: string, id: string, rawName: string): Promise<Pack> {
    const name = cleanPackName(rawName);
    return this.knex.transaction(async (trx) => {
      await lockTenantPacks(trx, tenantId);
      const row = isUuid(id) ? await livePack(trx, tenantId, id) : undefined;
      if (!row) throw packErrors.notFound();
      if (await liveNameTaken(trx, tenantId, name, id)) throw packErrors.nameTaken(name);
      await trx(PACKS).where({ tenant_id: tenantId, id }).update({ name });
      return this.get(tenantId, id, trx);
    });
  }

  /** `ids` must name every live pack exactly once; they take positions 0, 1, 2... */
  async reorder(tenantId: string, ids: string[]): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await lockTenantPacks(trx, tenantId);
      const live = await livePacks(trx, tenantId);
      const liveIds = new Set(live.map((p) => p.id));
      if (ids.length !== live.length || new Set(ids).size !== ids.length || !ids.every((id) => liveIds.has(id))) throw packErrors.orderMismatch();
      for (const [position, id] of ids.entries()) await trx(PACKS).where({ tenant_id: tenantId, id }).update({ position });
    });
  }

  async remove(tenantId: string, id: string): Promise<void> {
    await this.knex.transaction(async (trx) => {
      await lockTenantPacks(trx, tenantId);
      const row = isUuid(id) ? await livePack(trx, tenantId, id) : undefined;
      if (!row) throw packErrors.notFound();
      await trx(PACKS).where({ tenant_id: tenantId, id }).update({ deleted_at: this.clock.now() });
      const rest = await livePacks(trx, tenantId);
      for (const [position, p] of rest.entries()) {
        if (p.position !== position) await trx(PACKS).where({ tenant_id: tenantId, id: p.id }).update({ position });
      }
    });
  }

  /** An emoji that may be sent now (its pack is live), or null. */
  async sendable(tenantId: string, packId: string, emojiId: string): Promise<Emoji | null> {
    if (!isUuid(packId) || !isUuid(emojiId)) return null;
    const row = await liveEmoji(this.knex, tenantId, packId, emojiId);
    return row ? emojiOf(row) : null;
  }

  /** The stored files of any emoji of the tenant (deleted packs included), for serving. */
  async storedFiles(tenantId: string, emojiId: string): Promise<{ original: string; thumbnail: string } | null> {
    if (!isUuid(emojiId)) return null;
    const row = await emojiById(this.knex, tenantId, emojiId);
    return row ? { original: row.file_id, thumbnail: row.thumbnail_file_id } : null;
  }
}
