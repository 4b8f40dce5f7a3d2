/**
 * Reading credentials from a socket.io handshake, and the errors a refused connection carries.
 * Clients read `err.data.code` in their `connect_error` handler: UNAUTHENTICATED means "get a new
 * token", INTERNAL means "try again later".
 */
import type { Socket } from 'socket.io';
import { SESSION_COOKIE } from '../http/access.ts';

/** Longer tokens are never valid; refusing them early spares hashing attacker-sized strings. */
const MAX_TOKEN_LENGTH = 4096;

function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    try {
      return decodeURIComponent(part.slice(eq + 1).trim());
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/** The token given in `auth: { token }`, else the console's session cookie. */
export function handshakeToken(handshake: Socket['handshake']): string | undefined {
  const given = (handshake.auth as { token?: unknown } | undefined)?.token;
  const token = typeof given === 'string' ? given : cookieValue(handshake.headers.cookie, SESSION_COOKIE);
  return token && token.length <= MAX_TOKEN_LENGTH ? token : undefined;
}

export interface ConnectErrorData {
  statusCode: number;
  code: string;
  message: string;
}

export function connectError(statusCode: number, code: string, message: string): Error & { data: ConnectErrorData } {
  return Object.assign(new Error(code), { data: { statusCode, code, message } });
}

export const unauthenticated = (message: string) => connectError(401, 'UNAUTHENTICATED', message);
