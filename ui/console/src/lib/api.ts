/**
 * The console's HTTP client: same-origin requests authenticated by the session cookie, errors turned
 * into `ApiError` carrying the server's stable `code` so the UI can translate it.
 */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

type UnauthenticatedListener = () => void;
const unauthenticatedListeners = new Set<UnauthenticatedListener>();

/** Called when a request finds the session gone (expired, signed out elsewhere, member disabled). */
export function onUnauthenticated(fn: UnauthenticatedListener): () => void {
  unauthenticatedListeners.add(fn);
  return () => unauthenticatedListeners.delete(fn);
}

/** Tells the app the session is gone (also used by the socket when its handshake is refused). */
export function signalUnauthenticated() {
  for (const fn of unauthenticatedListeners) fn();
}

export function toApiError(body: unknown, status: number): ApiError {
  const b = (body ?? {}) as { code?: unknown; message?: unknown; field?: unknown };
  const code = typeof b.code === 'string' ? b.code : status >= 500 ? 'INTERNAL' : 'BAD_REQUEST';
  const message = typeof b.message === 'string' ? b.message : `HTTP ${status}`;
  return new ApiError(status, code, message, typeof b.field === 'string' ? b.field : undefined);
}

export interface RequestOptions {
  /** A FormData body (uploads) is sent as multipart; anything else as JSON. */
  body?: unknown;
  signal?: AbortSignal;
  /** Do not treat a 401 as the end of the session (the login form itself). */
  quiet401?: boolean;
}

export async function request<T = unknown>(method: string, url: string, opts: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let body: BodyInit | undefined;
  if (opts.body instanceof FormData) body = opts.body;
  else if (opts.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.body);
  }
  let res: Response;
  try {
    res = await fetch(url, { method, headers, body, credentials: 'same-origin', signal: opts.signal });
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached.');
  }
  const text = await res.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!res.ok) {
    const error = toApiError(data, res.status);
    if (res.status === 401 && !opts.quiet401) signalUnauthenticated();
    throw error;
  }
  return data as T;
}

export const api = {
  get: <T = unknown>(url: string, opts?: RequestOptions) => request<T>('GET', url, opts),
  post: <T = unknown>(url: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', url, { ...opts, body: body ?? {} }),
  put: <T = unknown>(url: string, body?: unknown, opts?: RequestOptions) => request<T>('PUT', url, { ...opts, body: body ?? {} }),
  patch: <T = unknown>(url: string, body?: unknown, opts?: RequestOptions) => request<T>('PATCH', url, { ...opts, body: body ?? {} }),
  delete: <T = unknown>(url: string, opts?: RequestOptions) => request<T>('DELETE', url, opts),
};

/** Builds a query string, leaving out empty values. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
