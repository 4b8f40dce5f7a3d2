/**
 * The history search: filters, the current page of results, and the filters as the API takes them
 * (for the search and for exports). Kept at module level so returning from a session detail shows
 * the same results.
 */
import { api, query } from '../api.ts';
import { errorText } from '../i18n.svelte.ts';
import { BASE, type Session, type SessionState } from './types.ts';

export interface HistoryForm {
  code: string;
  visitorName: string;
  /** `YYYY-MM-DD` from a date input, in the agent's time zone. */
  from: string;
  to: string;
  agentId: string;
  skillGroupId: string;
  states: SessionState[];
}

export const PAGE_SIZE = 20;

export function emptyForm(): HistoryForm {
  return { code: '', visitorName: '', from: '', to: '', agentId: '', skillGroupId: '', states: [] };
}

/** The form as API filters: whole local days become an ISO time range; empty fields are left out. */
export function toFilters(f: HistoryForm): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (f.code.trim()) out.code = f.code.trim();
  if (f.visitorName.trim()) out.visitorName = f.visitorName.trim();
  if (f.from) out.from = new Date(`${f.from}T00:00:00`).toISOString();
  if (f.to) out.to = new Date(`${f.to}T23:59:59.999`).toISOString();
  if (f.agentId) out.agentId = f.agentId;
  if (f.skillGroupId) out.skillGroupId = f.skillGroupId;
  if (f.states.length) out.state = [...f.states];
  return out;
}

function toQuery(filters: Record<string, unknown>, page: number): string {
  const { state, ...rest } = filters as { state?: string[] } & Record<string, string>;
  const q = query({ ...rest, page, pageSize: PAGE_SIZE });
  const states = (state ?? []).map((s) => `state=${encodeURIComponent(s)}`).join('&');
  return states ? `${q}${q ? '&' : '?'}${states}` : q;
}

class HistorySearch {
  form = $state<HistoryForm>(emptyForm());
  /** The filters of the results shown (the form may have changed since). */
  applied = $state<Record<string, unknown>>({});
  items = $state<Session[]>([]);
  total = $state(0);
  /** More match than `total`: the server counts to a cap. */
  totalCapped = $state(false);
  page = $state(1);
  loading = $state(false);
  error = $state('');
  searched = $state(false);

  async run(page = 1) {
    this.loading = true;
    this.error = '';
    const filters = toFilters(this.form);
    try {
      const r = await api.get<{ items: Session[]; total: number; totalCapped: boolean; page: number }>(`${BASE}/sessions${toQuery(filters, page)}`);
      this.items = r.items;
      this.total = r.total;
      this.totalCapped = r.totalCapped;
      this.page = r.page;
      this.applied = filters;
      this.searched = true;
    } catch (err) {
      this.error = errorText(err);
    } finally {
      this.loading = false;
    }
  }

  reset() {
    this.form = emptyForm();
    return this.run(1);
  }
}

export const history = new HistorySearch();
