/**
 * The message-path baseline: the least work the same job needs. A socket.io server whose visitors
 * send `conv:send`; each message is inserted as one row (plain `pg` on PostgreSQL when DATABASE_URL
 * is set, else PGlite in memory) into a table shaped like Parley's messages table, acknowledged
 * after the commit and forwarded to the session's agent. No auth, no hooks, no session row update.
 * Prints `{"ready":url,"pid":n}`.
 */
import http from 'node:http';
import { Server } from 'socket.io';
import pg from 'pg';
import { PGlite } from '@electric-sql/pglite';

const TABLE = `create table if not exists relay_messages (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null,
  session_id uuid not null,
  seq integer not null,
  sender_kind text not null,
  sender_id uuid,
  sender_name text,
  type text not null,
  body jsonb not null,
  client_msg_id text,
  visibility text not null default 'all',
  created_at timestamptz not null default now(),
  unique (session_id, client_msg_id)
)`;
const INSERT = `insert into relay_messages (tenant_id, session_id, seq, sender_kind, sender_id, sender_name, type, body, client_msg_id)
  values ($1, $2, $3, 'visitor', $4, $5, $6, $7, $8) on conflict (session_id, client_msg_id) do nothing
  returning id, seq, created_at`;

type Query = (sql: string, params: unknown[]) => Promise<{ rows: any[] }>;
let query: Query;
if (process.env.DATABASE_URL) {
  const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
  query = (sql, params) => pool.query(sql, params);
} else {
  const lite = new PGlite();
  query = (sql, params) => lite.query(sql, params);
}
await query(TABLE, []);

const seqs = new Map<string, number>();
const TENANT = '00000000-0000-4000-8000-000000000001';
const server = http.createServer();
const io = new Server(server, { maxHttpBufferSize: 64 * 1024 });
io.of('/agent').on('connection', (socket) => {
  socket.join(`a:${String(socket.handshake.auth.agentId)}`);
});
io.of('/visitor').on('connection', (socket) => {
  const visitorId = String(socket.handshake.auth.visitorId);
  socket.on('conv:send', async (p: any, ack: (a: unknown) => void) => {
    if (typeof ack !== 'function') return;
    try {
      const seq = (seqs.get(p.sessionId) ?? 0) + 1;
      seqs.set(p.sessionId, seq);
      const { rows } = await query(INSERT, [TENANT, p.sessionId, seq, visitorId, 'Visitor', p.type, JSON.stringify(p.body), p.clientMsgId]);
      const row = rows[0];
      const message = { id: row?.id, sessionId: p.sessionId, seq, sender: { kind: 'visitor', id: visitorId, name: 'Visitor' }, type: p.type, body: p.body, clientMsgId: p.clientMsgId, createdAt: row?.created_at };
      ack({ ok: true, data: { message, duplicate: !row } });
      if (row) io.of('/agent').to(`a:${String(p.agentId)}`).emit('conv:message', message);
    } catch (err) {
      ack({ ok: false, error: { statusCode: 500, code: 'INTERNAL', message: (err as Error).message } });
    }
  });
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.stdout.write(`${JSON.stringify({ ready: `http://127.0.0.1:${address.port}`, pid: process.pid })}\n`);
});
process.once('SIGTERM', () => { io.close(); process.exit(0); });
