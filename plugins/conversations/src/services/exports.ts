/**
 * Exports of filtered sessions to CSV or XLSX. An export runs in the background; the client polls
 * `GET /exports/:id` (and gets `export:progress` pushes) and downloads the file when it is done.
 * Files are kept in the plugin's table for a day.
 */
import type { FastifyReply } from 'fastify';
import type { Deps } from './deps.ts';
import type { History, HistoryFilters } from './history.ts';
import { errors } from '../../../../core/http/errors.ts';
import type { MemberPrincipal } from '../../../../core/auth/principal.ts';
import { T } from '../db/tables.ts';
import { isUuid } from '../ids.ts';
import { HEADERS, exportRow } from '../export/columns.ts';
import { CSV_BOM, csvLine } from '../export/csv.ts';
import { xlsxFile, xlsxRow } from '../export/xlsx.ts';

export type ExportFormat = 'csv' | 'xlsx';
export const EXPORT_MAX_ROWS = 100_000;
const KEEP_HOURS = 24;
// A running export not updated for this long died with its process.
const STALE_SECONDS = 300;

interface ExportRow {
  id: string;
  tenant_id: string;
  member_id: string;
  format: ExportFormat;
  filters: HistoryFilters;
  state: 'running' | 'done' | 'failed';
  total: number;
  processed: number;
  error: string | null;
  data?: Buffer | null;
  created_at: Date;
  updated_at: Date;
}

export interface ExportView {
  id: string;
  format: ExportFormat;
  state: ExportRow['state'];
  total: number;
  processed: number;
  progress: number;
  error?: string;
  createdAt: string;
}

const CONTENT_TYPE: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

function view(r: ExportRow): ExportView {
  return {
    id: r.id,
    format: r.format,
    state: r.state,
    total: r.total,
    processed: r.processed,
    progress: r.state === 'done' ? 1 : r.total ? Math.min(1, r.processed / r.total) : 0,
    ...(r.error ? { error: r.error } : {}),
    createdAt: new Date(r.created_at).toISOString(),
  };
}

const META = ['id', 'tenant_id', 'member_id', 'format', 'filters', 'state', 'total', 'processed', 'error', 'created_at', 'updated_at'];

export class Exports {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly d: Deps,
    private readonly history: History,
    private readonly batchSize = 500,
  ) {}

  async create(m: MemberPrincipal, format: ExportFormat, filters: HistoryFilters): Promise<ExportView> {
    const total = await this.history.countUpTo(m.tenantId, filters, EXPORT_MAX_ROWS);
    if (total > EXPORT_MAX_ROWS) {
      throw errors.badRequest('EXPORT_TOO_LARGE', `More than ${EXPORT_MAX_ROWS} sessions match; narrow the filters to at most ${EXPORT_MAX_ROWS}.`, 'filters');
    }
    const [row] = await this.d.knex(T.exports)
      .insert({ tenant_id: m.tenantId, member_id: m.memberId, format, filters: JSON.stringify(filters), total })
      .returning(META);
    const job = this.run(row).finally(() => this.running.delete(job));
    this.running.add(job);
    return view(row);
  }

  private async find(m: MemberPrincipal, id: string, withData = false): Promise<ExportRow> {
    const row: ExportRow | undefined = isUuid(id)
      ? await this.d.knex(T.exports).where({ tenant_id: m.tenantId, member_id: m.memberId, id }).first(withData ? [...META, 'data'] : META)
      : undefined;
    if (!row) throw errors.notFound('EXPORT_NOT_FOUND', 'No such export.');
    if (row.state === 'running') {
      // Both times are the database's, so app nodes with skewed clocks agree.
      const died = await this.d.knex(T.exports)
        .where({ id: row.id, state: 'running' })
        .andWhereRaw(`updated_at < now() - make_interval(secs => ?)`, [STALE_SECONDS])
        .update({ state: 'failed', error: 'The export was interrupted; start it again.' });
      if (died) return this.find(m, id, withData);
    }
    return row;
  }

  async get(m: MemberPrincipal, id: string): Promise<ExportView> {
    return view(await this.find(m, id));
  }

  async download(m: MemberPrincipal, id: string, reply: FastifyReply): Promise<FastifyReply> {
    const row = await this.find(m, id, true);
    if (row.state !== 'done' || !row.data) throw errors.conflict('EXPORT_NOT_READY', 'The export is not finished.');
    const stamp = new Date(row.created_at).toISOString().slice(0, 19).replace(/[-:T]/g, '');
    return reply
      .header('content-type', CONTENT_TYPE[row.format])
      .header('x-content-type-options', 'nosniff')
      .header('content-security-policy', "default-src 'none'; sandbox")
      .header('content-disposition', `attachment; filename="sessions-${stamp}.${row.format}"`)
      .header('cache-control', 'private, no-store')
      .send(Buffer.from(row.data));
  }

  private async progress(row: ExportRow, patch: Partial<ExportRow>): Promise<void> {
    const [updated] = await this.d.knex(T.exports).where({ id: row.id }).update({ ...patch, updated_at: this.d.knex.fn.now() }).returning(META);
    this.d.notifier.toMember(row.member_id, 'export:progress', view(updated));
  }

  private async run(row: ExportRow): Promise<void> {
    try {
      const csv: string[] = [CSV_BOM, csvLine(HEADERS)];
      const xml: string[] = [xlsxRow(0, HEADERS)];
      let processed = 0;
      for await (const batch of this.history.batches(row.tenant_id, row.filters, this.batchSize)) {
        for (const s of batch) {
          processed += 1;
          if (row.format === 'csv') csv.push(csvLine(exportRow(s)));
          else xml.push(xlsxRow(processed, exportRow(s)));
        }
        await this.progress(row, { processed });
      }
      const data = row.format === 'csv' ? Buffer.from(csv.join(''), 'utf8') : xlsxFile('Sessions', xml);
      await this.progress(row, { state: 'done', processed, total: Math.max(processed, row.total), data } as Partial<ExportRow>);
    } catch (err) {
      this.d.log.error({ err, exportId: row.id }, 'export failed');
      await this.progress(row, { state: 'failed', error: 'The export failed.' }).catch(() => undefined);
    }
  }

  /** Deletes files older than a day (a recurring job). */
  async purge(): Promise<number> {
    return this.d.knex(T.exports).whereRaw(`created_at < now() - make_interval(hours => ?)`, [KEEP_HOURS]).delete();
  }

  /** Resolves when every export started by this process has finished (for shutdown and tests). */
  async idle(): Promise<void> {
    await Promise.all([...this.running]);
  }
}
