/**
 * An export of filtered sessions: the server works in the background; progress comes by polling
 * (and by `export:progress` pushes when the socket is up), then the file downloads by itself.
 */
import { api } from '../api.ts';
import { errorText } from '../i18n.svelte.ts';
import { realtime } from '../realtime.svelte.ts';
import { BASE, type ExportJob } from './types.ts';

const POLL_MS = 800;

export class Exporter {
  job = $state<ExportJob | null>(null);
  error = $state('');
  private timer: ReturnType<typeof setInterval> | undefined;
  private stopPush: (() => void) | undefined;

  get running(): boolean {
    return this.job?.state === 'running';
  }

  downloadUrl(id: string): string {
    return `${BASE}/exports/${id}/download`;
  }

  async start(format: 'csv' | 'xlsx', filters: Record<string, unknown>) {
    this.stop();
    this.error = '';
    try {
      this.job = await api.post<ExportJob>(`${BASE}/exports`, { format, filters });
      if (realtime.status === 'connected') this.stopPush = realtime.on<ExportJob>('export:progress', (j) => this.update(j));
      this.timer = setInterval(() => void this.poll(), POLL_MS);
    } catch (err) {
      this.error = errorText(err);
    }
  }

  private async poll() {
    if (!this.job) return;
    try {
      this.update(await api.get<ExportJob>(`${BASE}/exports/${this.job.id}`));
    } catch (err) {
      this.error = errorText(err);
      this.stop();
    }
  }

  private update(next: ExportJob) {
    if (!this.job || next.id !== this.job.id || this.job.state !== 'running') return;
    this.job = next;
    if (next.state === 'running') return;
    this.stop();
    if (next.state === 'done') {
      const a = document.createElement('a');
      a.href = this.downloadUrl(next.id);
      a.download = '';
      document.body.append(a);
      a.click();
      a.remove();
    }
  }

  stop() {
    clearInterval(this.timer);
    this.stopPush?.();
    this.stopPush = undefined;
  }

  dismiss() {
    this.stop();
    this.job = null;
    this.error = '';
  }
}

/** The history page's export, kept while the agent opens a session and comes back. */
export const historyExporter = new Exporter();
