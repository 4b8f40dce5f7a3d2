/**
 * socket.io-client against a real listening Parley: connect with a token or cookie, emit and await
 * the ack, wait for (or rule out) an event. Sockets opened through `connect` close at teardown.
 */
import type { Test } from 'tap';
import { io, type Socket } from 'socket.io-client';

export type ClientSocket = Socket;
export type Namespace = 'agent' | 'visitor';

export interface ConnectOptions {
  token?: string;
  cookie?: string;
  transports?: Array<'polling' | 'websocket'>;
}

export interface ConnectFailure {
  message: string;
  data?: { statusCode?: number; code?: string; message?: string };
}

function open(baseUrl: string, ns: string, opts: ConnectOptions): Socket {
  return io(`${baseUrl}/${ns}`, {
    ...(opts.token !== undefined ? { auth: { token: opts.token } } : {}),
    ...(opts.cookie ? { extraHeaders: { cookie: opts.cookie } } : {}),
    transports: opts.transports ?? ['websocket'],
    reconnection: false,
    forceNew: true,
    timeout: 5000,
  });
}

/** Connects and resolves once the server accepted the socket; rejects with the connect error. */
export function connect(t: Test, baseUrl: string, ns: Namespace | string, opts: ConnectOptions = {}): Promise<Socket> {
  const socket = open(baseUrl, ns, opts);
  t.teardown(() => { socket.disconnect(); });
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err) => reject(Object.assign(err, { data: (err as { data?: unknown }).data })));
  });
}

/** Expects the server to refuse the connection and resolves with what the client was told. */
export async function refused(t: Test, baseUrl: string, ns: Namespace | string, opts: ConnectOptions = {}): Promise<ConnectFailure> {
  try {
    await connect(t, baseUrl, ns, opts);
  } catch (err) {
    const e = err as ConnectFailure;
    return { message: e.message, data: e.data };
  }
  throw new Error(`the server accepted a connection to /${ns} that it should refuse`);
}

export interface AckResult {
  ok: boolean;
  data?: unknown;
  error?: { statusCode: number; code: string; message: string; field?: string };
}

/** Emits with an ack callback and resolves with the server's answer. */
export function request(socket: Socket, event: string, ...args: unknown[]): Promise<AckResult> {
  return socket.timeout(5000).emitWithAck(event, ...args) as Promise<AckResult>;
}

/** Resolves with the next `event` the socket receives. */
export function nextEvent<T = unknown>(socket: Socket, event: string, timeoutMs = 5000): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off(event, onEvent);
      reject(new Error(`no "${event}" within ${timeoutMs} ms`));
    }, timeoutMs);
    const onEvent = (data: T) => {
      clearTimeout(timer);
      resolve(data);
    };
    socket.once(event, onEvent);
  });
}

/** Collects every `event` the socket receives from now on. */
export function collect<T = unknown>(socket: Socket, event: string): T[] {
  const seen: T[] = [];
  socket.on(event, (data: T) => seen.push(data));
  return seen;
}

/** Resolves with the reason once the socket is disconnected. */
export function disconnected(socket: Socket, timeoutMs = 5000): Promise<string> {
  if (!socket.connected) return Promise.resolve('already disconnected');
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`socket still connected after ${timeoutMs} ms`)), timeoutMs);
    socket.once('disconnect', (reason) => {
      clearTimeout(timer);
      resolve(reason);
    });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
