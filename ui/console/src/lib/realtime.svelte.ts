/**
 * The console's socket on the `/agent` namespace. The session cookie authenticates the handshake;
 * socket.io reconnects by itself and `onReconnect` listeners resync what they show. Requests use
 * acknowledgements: the server answers `{ok:true,data}` or `{ok:false,error}`.
 */
import { io, type Socket } from 'socket.io-client';
import { ApiError, toApiError, signalUnauthenticated } from './api.ts';

export type ConnectionState = 'connecting' | 'connected' | 'disconnected';

const state = $state<{ status: ConnectionState }>({ status: 'disconnected' });
let socket: Socket | null = null;
const reconnectListeners = new Set<() => void>();
const REQUEST_TIMEOUT_MS = 15_000;

function ensure(): Socket {
  if (socket) return socket;
  state.status = 'connecting';
  const s = io('/agent', { withCredentials: true, transports: ['websocket', 'polling'] });
  let connectedBefore = false;
  s.on('connect', () => {
    state.status = 'connected';
    if (connectedBefore) for (const fn of reconnectListeners) fn();
    connectedBefore = true;
  });
  s.on('disconnect', (reason) => {
    state.status = 'disconnected';
    // socket.io does not come back by itself when the server ended the connection; try once more,
    // and a refused handshake then tells whether the session itself is gone.
    if (reason === 'io server disconnect') setTimeout(() => socket === s && s.connect(), 1000);
  });
  s.on('connect_error', (err: Error & { data?: { code?: string } }) => {
    state.status = 'disconnected';
    if (err.data?.code === 'UNAUTHENTICATED' || err.message === 'UNAUTHENTICATED') signalUnauthenticated();
  });
  socket = s;
  return s;
}

export const realtime = {
  get status(): ConnectionState {
    return state.status;
  },
  connect() {
    ensure();
  },
  /** Sends an event and resolves with the acknowledged data, or rejects with the server's error. */
  request<T = unknown>(event: string, payload: unknown = {}): Promise<T> {
    const s = ensure();
    return new Promise<T>((resolve, reject) => {
      s.timeout(REQUEST_TIMEOUT_MS).emit(event, payload, (err: Error | null, ack: { ok: boolean; data?: T; error?: unknown }) => {
        if (err) return reject(new ApiError(0, 'TIMEOUT', 'The server did not answer in time.'));
        if (ack?.ok) resolve(ack.data as T);
        else reject(toApiError(ack?.error, (ack?.error as { statusCode?: number } | undefined)?.statusCode ?? 400));
      });
    });
  },
  /** Listens to a server event; returns the function that stops listening. */
  on<T = unknown>(event: string, handler: (data: T) => void): () => void {
    const s = ensure();
    s.on(event, handler as (...args: unknown[]) => void);
    return () => s.off(event, handler as (...args: unknown[]) => void);
  },
  /** Runs after every reconnection (not the first connection): the moment to resync. */
  onReconnect(fn: () => void): () => void {
    reconnectListeners.add(fn);
    return () => reconnectListeners.delete(fn);
  },
  disconnect() {
    socket?.disconnect();
    socket = null;
    state.status = 'disconnected';
  },
};
