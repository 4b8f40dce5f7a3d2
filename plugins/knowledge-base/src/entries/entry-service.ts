/** Knowledge entries: sanitised rich content, ordering, drafts, attachments, and search. */
import type { Knex } from 'knex';
import { errors } from '../../../../core/http/errors.ts';
import { sanitizeContent, plainText } from '../content/sanitize.ts';
import { documentTerms, planQuery } from '../search/tokenize.ts';
import { highlight, snippet } from '../search/highlight.ts';
import type { CategoryService } from '../categories/category-service.ts';
import { isUuid } from '../../../../core/http/ids.ts';

export type EntryStatus = 'draft' | 'published';

export interface Entry {
  id: string;
  categoryId: string | null;
  title: string;
  contentHtml: string;
  contentText: string;
  status: EntryStatus;
  position: number;
  attachments: Array<{ id: string; filename: string; contentType: string; size: number }>;
  updatedAt: string;
}

export interface EntryInput {
  title: string;
  content: string;
  categoryId?: string | null;
  status?: EntryStatus;
  position?: number;
}

export interface SearchHit {
  id: string;
  categoryId: string | null;
  title: string;
  /** Title with matched words in <mark>, HTML-escaped. */
  titleHtml: string;
  /** A piece of the content around the first match, HTML-escaped with <mark>. */
  snippetHtml: string;
  status: EntryStatus;
  rank: number;
}

const TABLE = 'knowledge_base_entries';
/** How many title matches, and how many other matches, are ranked at most (see search()). */
export const RANK_CANDIDATES = 250;

/** SQL that builds the entry's search vector: title weighs more than content. */
export function vectorSql(knex: Knex, title: string, text: string) {
  const t = documentTerms(title);
  const c = documentTerms(text);
  return knex.raw(
    `setweight(to_tsvector('simple', ?), 'A') || setweight(to_tsvector('english', ?), 'A') || setweight(to_tsvector('simple', ?), 'B') || setweight(to_tsvector('english', ?), 'B')`,
    [t.cjk, t.latin, c.cjk, c.latin],
  );
}

export class EntryService {
  constructor(
    private readonly knex: Knex,
    private readonly categories: CategoryService,
  ) {}

  private async view(tenantId: string, row: Record<string, any>): Promise<Entry> {
    const attachments = await this.knex('knowledge_base_attachments as a')
      .join('files as f', 'f.id', 'a.file_id')
      .where({ 'a.tenant_id': tenantId, 'a.entry_id': row.id })
      .select('f.id', 'f.filename', 'f.content_type as contentType', 'f.size');
    return {
      id: row.id,
      categoryId: row.category_id,
      title: row.title,
      contentHtml: row.content_html,
      contentText: row.content_text,
      status: row.status,
      position: row.position,
      attachments,
      updatedAt: new Date(row.updated_at).toISOString(),
    };
  }

  async get(tenantId: string, id: string, opts: { includeDrafts: boolean }): Promise<Entry> {
    const row = isUuid(id) ? await this.knex(TABLE).where({ tenant_id: tenantId, id }).first() : undefined;
    if (!row || (!opts.includeDrafts && row.status !== 'published')) throw errors.notFound('ENTRY_NOT_FOUND', 'No such entry.');
    return this.view(tenantId, row);
  }

  async list(tenantId: string, opts: { categoryId?: string; includeDrafts: boolean; limit: number; offset: number }) {
    const q = this.knex(TABLE).where({ tenant_id: tenantId });
    if (opts.categoryId) q.andWhere({ category_id: opts.categoryId });
    if (!opts.includeDrafts) q.andWhere({ status: 'published' });
    const [{ count }] = await q.clone().count<{ count: number }[]>('* as count');
    const rows = await q.orderBy([{ column: 'position' }, { column: 'updated_at', order: 'desc' }]).limit(opts.limit).offset(opts.offset)
      .select('id', 'category_id', 'title', 'status', 'position', 'updated_at', this.knex.raw('left(content_text, 160) as excerpt'));
    return {
      total: Number(count),
      items: rows.map((r) => ({ id: r.id, categoryId: r.category_id, title: r.title, status: r.status, position: r.position, excerpt: r.excerpt, updatedAt: new Date(r.updated_at).toISOString() })),
    };
  }

  async create(tenantId: string, memberId: string | null, input: EntryInput, trx: Knex | Knex.Transaction = this.knex): Promise<string> {
    if (input.categoryId) await this.categories.get(tenantId, input.categoryId, trx);
    const html = sanitizeContent(input.content);
    const text = plainText(html);
    const [row] = await trx(TABLE)
      .insert({
        tenant_id: tenantId,
        category_id: input.categoryId ?? null,
        title: input.title.trim(),
        content_html: html,
        content_text: text,
        status: input.status ?? 'draft',
        position: input.position ?? 0,
        search_vector: vectorSql(this.knex, input.title, text),
        updated_by: memberId,
      })
      .returning('id');
    return (row as { id: string }).id;
  }

  async update(tenantId: string, memberId: string | null, id: string, patch: Partial<EntryInput>): Promise<Entry> {
    const current = await this.get(tenantId, id, { includeDrafts: true });
    if (patch.categoryId) await this.categories.get(tenantId, patch.categoryId);
    const title = patch.title?.trim() ?? current.title;
    const html = patch.content !== undefined ? sanitizeContent(patch.content) : current.contentHtml;
    const text = patch.content !== undefined ? plainText(html) : current.contentText;
    await this.knex(TABLE)
      .where({ tenant_id: tenantId, id })
      .update({
        title,
        content_html: html,
        content_text: text,
        ...(patch.categoryId !== undefined ? { category_id: patch.categoryId } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.position !== undefined ? { position: patch.position } : {}),
        search_vector: vectorSql(this.knex, title, text),
        updated_by: memberId,
        updated_at: this.knex.fn.now(),
      });
    return this.get(tenantId, id, { includeDrafts: true });
  }

  async remove(tenantId: string, id: string): Promise<void> {
    await this.get(tenantId, id, { includeDrafts: true });
    await this.knex(TABLE).where({ tenant_id: tenantId, id }).delete();
  }

  /** Sets the order of entries: `ids` in their new order get positions 0, 1, 2, … */
  async reorder(tenantId: string, ids: string[]): Promise<void> {
    if (ids.some((id) => !isUuid(id))) throw errors.badRequest('ENTRY_NOT_FOUND', 'Unknown entry in the order.', 'ids');
    await this.knex.transaction(async (trx) => {
      const found = await trx(TABLE).where({ tenant_id: tenantId }).whereIn('id', ids).count<{ count: number }[]>('* as count');
      if (Number(found[0]!.count) !== new Set(ids).size) throw errors.badRequest('ENTRY_NOT_FOUND', 'Unknown entry in the order.', 'ids');
      for (const [position, id] of ids.entries()) await trx(TABLE).where({ tenant_id: tenantId, id }).update({ position });
    });
  }

  async attach(tenantId: string, entryId: string, fileId: string): Promise<void> {
    await this.knex('knowledge_base_attachments').insert({ tenant_id: tenantId, entry_id: entryId, file_id: fileId });
  }

  async detach(tenantId: string, entryId: string, fileId: string): Promise<void> {
    const n = isUuid(fileId) ? await this.knex('knowledge_base_attachments').where({ tenant_id: tenantId, entry_id: entryId, file_id: fileId }).delete() : 0;
    if (!n) throw errors.notFound('ATTACHMENT_NOT_FOUND', 'No such attachment on this entry.');
  }

  async isAttachment(tenantId: string, entryId: string, fileId: string): Promise<boolean> {
    return !!(isUuid(fileId) && (await this.knex('knowledge_base_attachments').where({ tenant_id: tenantId, entry_id: entryId, file_id: fileId }).first()));
  }

  async search(tenantId: string, query: string, opts: { categoryId?: string; includeDrafts: boolean; limit: number }): Promise<SearchHit[]> {
    const plan = planQuery(query);
    if (!plan.cjk && plan.latinWords.length === 0) return [];
    const parts: string[] = [];
    const bindings: string[] = [];
    if (plan.cjk) {
      parts.push('(?::tsquery)');
      bindings.push(plan.cjk);
    }
    if (plan.latinWords.length) {
      // Stemmed English; prefix matching on the last word so "passw" finds "password" while typing.
      const words = plan.latinWords.map((w, i) => (i === plan.latinWords.length - 1 ? `${w}:*` : w));
      parts.push(`to_tsquery('english', ?)`);
      bindings.push(words.join(plan.matchAll ? ' & ' : ' | '));
    }
    const tsquery = `(${parts.join(plan.matchAll ? ' && ' : ' || ')})`;
    const matching = (q: Knex.QueryBuilder, vector: string) => {
      q.from(TABLE).select('id').where({ tenant_id: tenantId }).andWhereRaw(`${vector} @@ ${tsquery}`, bindings).limit(RANK_CANDIDATES);
      if (!opts.includeDrafts) q.andWhere({ status: 'published' });
      if (opts.categoryId) q.andWhere({ category_id: opts.categoryId });
      return q;
    };
    // Ranking reads each candidate's whole vector (kilobytes, stored out of line), so it runs over
    // at most RANK_CANDIDATES title matches and as many text matches, in index order: a term found
    // in half the knowledge base costs about what a rare one does. A short query lists entries
    // whose title has all its words first, so the text matches are only looked up (and ranked)
    // when the titles do not fill the page; a sentence ranks both together by coverage.
    const text = matching(this.knex.queryBuilder(), 'search_vector');
    if (plan.matchAll) text.andWhereRaw('(select count(*) from title_hits) < ?', [opts.limit]);
    const order = (prefix: string) => [
      ...(plan.matchAll ? [{ column: `${prefix}title_hit`, order: 'desc' }] : []),
      { column: `${prefix}rank`, order: 'desc' },
      { column: `${prefix}updated_at`, order: 'desc' },
      { column: `${prefix}id` },
    ];
    const ranked = this.knex
      .from(this.knex.union([this.knex('title_hits').select('id'), text], true).as('c'))
      .join(`${TABLE} as e`, 'e.id', 'c.id')
      .select('e.id', 'e.updated_at', this.knex.raw(`ts_rank(e.search_vector, ${tsquery}) as rank`, bindings), this.knex.raw(`e.title_vector @@ ${tsquery} as title_hit`, bindings))
      .orderBy(order(''))
      .limit(opts.limit);
    const rows = await this.knex.transaction(async (trx) => {
      // Candidates come from the GIN indexes only. For a common term the planner prefers walking
      // the table (or another index) and testing each row, which reads each row's out-of-line
      // vector: 100+ ms at 100,000 entries, and a different candidate set on every call, as
      // sequential scans start where the last one stopped. Index order is cheap and stable.
      await trx.raw(`select set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)`);
      return trx
        .withMaterialized('title_hits', matching(trx.queryBuilder(), 'title_vector'))
        .from(ranked.as('r'))
        .join(`${TABLE} as e`, 'e.id', 'r.id')
        // The page's text is read for its rows only.
        .select('e.id', 'e.category_id', 'e.title', 'e.status', 'e.content_text', 'r.rank')
        .orderBy(order('r.'));
    });
    return rows.map((r) => ({
      id: r.id,
      categoryId: r.category_id,
      title: r.title,
      titleHtml: highlight(r.title, plan.highlights),
      snippetHtml: snippet(r.content_text, plan.highlights),
      status: r.status,
      rank: Number(r.rank),
    }));
  }
}
