/** Parley's visitor REST API, called from the host page (cross-origin; the server answers CORS). */
import type { ApiErrorBody, FileBody, Message, Session, WidgetConfig } from './protocol.ts';

export class ApiError extends Error {
  constructor(readonly body: ApiErrorBody) {
    super(body.message);
  }
  get code() {
    return this.body.code;
  }
}

export interface VisitorSessionInput {
  token?: string;
  name?: string;
  email?: string;
  identity?: { externalId: string; signature: string };
}

export class ApiClient {
  token?: string;

  constructor(
    readonly server: string,
    readonly tenant: string,
  ) {}

  private async call<T>(method: string, path: string, body?: unknown, raw?: BodyInit): Promise<T> {
    const headers: Record<string, string> = {};
    if (this.token) headers.authorization = `Bearer ${this.token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(this.server + path, { method, headers, body: raw ?? (body === undefined ? undefined : JSON.stringify(body)) });
    } catch {
      throw new ApiError({ statusCode: 0, code: 'NETWORK', message: 'The server cannot be reached.' });
    }
    const data = (await res.json().catch(() => null)) as unknown;
    if (!res.ok) {
      const e = data as Partial<ApiErrorBody> | null;
      throw new ApiError({ statusCode: res.status, code: e?.code ?? 'HTTP_ERROR', message: e?.message ?? `HTTP ${res.status}` });
    }
    return data as T;
  }

  /** The plugin modules to load for this tenant (only plugins it has enabled). */
  widgetPlugins(): Promise<{ plugins: Array<{ id: string; url: string }> }> {
    return this.call('GET', `/api/visitor/ui/${encodeURIComponent(this.tenant)}`);
  }

  /** A plugin's own visitor route: GET `/api/<pluginId>/<path>` with the visitor token. */
  pluginGet<T>(pluginId: string, path: string): Promise<T> {
    return this.call('GET', `/api/${encodeURIComponent(pluginId)}/${path.replace(/^\/+/, '')}`);
  }

  widgetConfig(): Promise<WidgetConfig> {
    return this.call('GET', `/api/conversations/public/${encodeURIComponent(this.tenant)}/widget-config`);
  }

  visitorSession(input: VisitorSessionInput): Promise<{ token: string; visitorId: string }> {
    return this.call('POST', '/api/visitor/session', { tenant: this.tenant, ...input });
  }

  sessions(): Promise<{ sessions: Session[] }> {
    return this.call('GET', '/api/conversations/visitor/sessions');
  }

  session(id: string): Promise<Session> {
    return this.call('GET', `/api/conversations/visitor/sessions/${id}`);
  }

  startSession(input: { name?: string; email?: string; skillGroupId?: string; context: { pageUrl: string; pageTitle: string; referrer?: string } }): Promise<{ session: Session; resumed: boolean }> {
    return this.call('POST', '/api/conversations/visitor/sessions', input);
  }

  messages(sessionId: string, after: number): Promise<{ messages: Message[]; lastSeq: number; hasMore: boolean }> {
    return this.call('GET', `/api/conversations/visitor/sessions/${sessionId}/messages?after=${after}&limit=200`);
  }

  upload(sessionId: string, file: File): Promise<FileBody> {
    const form = new FormData();
    form.append('file', file, file.name);
    return this.call('POST', `/api/conversations/visitor/sessions/${sessionId}/attachments`, undefined, form);
  }

  /** Attachment bytes: the file URL takes the token only in the Authorization header. */
  async file(fileId: string): Promise<Blob> {
    const res = await fetch(`${this.server}/api/conversations/visitor/files/${encodeURIComponent(fileId)}`, {
      headers: this.token ? { authorization: `Bearer ${this.token}` } : {},
    });
    if (!res.ok) throw new ApiError({ statusCode: res.status, code: 'FILE_NOT_FOUND', message: 'The file cannot be loaded.' });
    return res.blob();
  }
}
