/**
 * Import and export of a whole knowledge base as CSV (UTF-8 with BOM so spreadsheets open Chinese
 * text correctly). Columns: category (a path like "Billing/Refunds"), title, content (HTML or
 * plain text), status (draft|published), position. Import checks every row first and reports the
 * failures with their row number and reason; the valid rows are stored in one transaction.
 */
import type { Knex } from 'knex';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import type { CategoryService } from '../categories/category-service.ts';
import type { EntryService } from '../entries/entry-service.ts';

export const COLUMNS = ['category', 'title', 'content', 'status', 'position'] as const;
export const MAX_IMPORT_ROWS = 10_000;

export interface ImportReport {
  imported: number;
  failed: Array<{ row: number; code: string; message: string }>;
}

export async function exportCsv(knex: Knex, tenantId: string, categories: CategoryService): Promise<string> {
  const paths = await categories.paths(tenantId);
  const rows = await knex('knowledge_base_entries').where({ tenant_id: tenantId }).orderBy(['category_id', 'position', 'title']);
  const records = rows.map((r) => [r.category_id ? paths.get(r.category_id) ?? '' : '', r.title, r.content_html, r.status, r.position]);
  return '\uFEFF' + stringify([COLUMNS as unknown as string[], ...records]);
}

export async function importCsv(
  knex: Knex,
  tenantId: string,
  memberId: string | null,
  csv: string,
  services: { categories: CategoryService; entries: EntryService },
): Promise<ImportReport> {
  let records: string[][];
  try {
    records = parse(csv.replace(/^\uFEFF/, ''), { relax_column_count: true, skip_empty_lines: true });
  } catch (err) {
    return { imported: 0, failed: [{ row: 0, code: 'CSV_UNREADABLE', message: `The file is not valid CSV: ${(err as Error).message}` }] };
  }
  const [header, ...body] = records;
  const columns = (header ?? []).map((h) => h.trim().toLowerCase());
  const missing = ['title', 'content'].filter((c) => !columns.includes(c));
  if (missing.length) return { imported: 0, failed: [{ row: 1, code: 'CSV_COLUMNS_MISSING', message: `Missing column(s): ${missing.join(', ')}.` }] };
  if (body.length > MAX_IMPORT_ROWS) return { imported: 0, failed: [{ row: 0, code: 'CSV_TOO_MANY_ROWS', message: `At most ${MAX_IMPORT_ROWS} rows per import.` }] };

  const col = (rec: string[], name: string) => (columns.indexOf(name) >= 0 ? (rec[columns.indexOf(name)] ?? '').trim() : '');
  const failed: ImportReport['failed'] = [];
  const valid: Array<{ category: string; title: string; content: string; status: 'draft' | 'published'; position: number }> = [];
  body.forEach((rec, i) => {
    const row = i + 2; // the header is row 1, as a spreadsheet shows it
    const title = col(rec, 'title');
    const content = col(rec, 'content');
    const status = col(rec, 'status') || 'published';
    const position = col(rec, 'position') || '0';
    if (!title) return failed.push({ row, code: 'TITLE_REQUIRED', message: 'The title is empty.' });
    if (title.length > 200) return failed.push({ row, code: 'TITLE_TOO_LONG', message: 'The title is longer than 200 characters.' });
    if (!content) return failed.push({ row, code: 'CONTENT_REQUIRED', message: 'The content is empty.' });
    if (content.length > 200_000) return failed.push({ row, code: 'CONTENT_TOO_LONG', message: 'The content is longer than 200,000 characters.' });
    if (status !== 'draft' && status !== 'published') return failed.push({ row, code: 'INVALID_STATUS', message: `Status must be draft or published, not "${status}".` });
    if (!/^-?\d{1,6}$/.test(position)) return failed.push({ row, code: 'INVALID_POSITION', message: `Position must be a whole number, not "${position}".` });
    valid.push({ category: col(rec, 'category'), title, content, status, position: Number(position) });
  });
  await knex.transaction(async (trx) => {
    for (const v of valid) {
      const categoryId = v.category ? await services.categories.ensurePath(tenantId, v.category, trx) : null;
      await services.entries.create(tenantId, memberId, { title: v.title, content: v.content, status: v.status, position: v.position, categoryId }, trx);
    }
  });
  return { imported: valid.length, failed };
}
