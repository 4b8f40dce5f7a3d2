/**
 * Custom emoji: how long a valid pack of 50 emoji takes to process, against the least work any
 * implementation must do with the same images. Target: under 2 s for the whole upload.
 *
 *   node --import tsx bench/custom-emoji.ts [--quick]     (PostgreSQL when DATABASE_URL is set, else PGlite)
 *
 * Figures (median of the runs, milliseconds):
 *   validate   validatePack(zip): zip checks, magic bytes, a full decode of every frame, thumbnails
 *   upload     POST /api/custom-emoji/packs through the HTTP stack: multipart read with the streaming
 *              limit, validation, and storing 50 originals + 50 thumbnails and the rows in one transaction
 * Same-run baselines on the same 50 images:
 *   decode     plain sharp, every frame decoded to raw pixels (what "checked by content" costs at least)
 *   decode+thumb  plain sharp, decoded and made into the same 64 px WebP thumbnails
 */
import crypto from 'node:crypto';
import os from 'node:os';
import pg from 'pg';
import pino from 'pino';
import sharp from 'sharp';
import { loadConfig } from '../config/index.ts';
import { buildApp, type ParleyApp } from '../core/app.ts';
import { openDatabase } from '../core/db/connect.ts';
import { THUMBNAIL_SIDE_PX } from '../plugins/custom-emoji/src/pack/limits.ts';
import { validatePack } from '../plugins/custom-emoji/src/pack/validate-pack.ts';
import { buildZip } from '../plugins/custom-emoji/test/fixtures.ts';
import { multipart } from '../plugins/custom-emoji/test/http-helpers.ts';

const TARGET_MS = 2000;
const OPERATOR_TOKEN = 'bench-operator-token-0123456789';

export interface CustomEmojiBenchResult {
  name: string;
  figures: Record<string, number>;
  baseline: Record<string, number>;
  ratio: Record<string, number>;
  cores: number;
  database: 'postgres' | 'pglite';
  notes: string[];
}

/** A face emoji with a radial gradient (so it compresses like real artwork, not like a flat fill). */
function face(hue: number): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="200">
    <defs><radialGradient id="g" cx="40%" cy="35%" r="70%"><stop offset="0" stop-color="hsl(${hue},95%,80%)"/><stop offset="1" stop-color="hsl(${(hue + 30) % 360},85%,45%)"/></radialGradient></defs>
    <circle cx="100" cy="100" r="92" fill="url(#g)" stroke="#5c3b00" stroke-width="6"/>
    <ellipse cx="70" cy="80" rx="11" ry="15" fill="#2b1a00"/><ellipse cx="130" cy="80" rx="11" ry="15" fill="#2b1a00"/>
    <path d="M55 ${120 + (hue % 20)} Q100 ${160 - (hue % 30)} 145 ${120 + (hue % 20)}" fill="none" stroke="#2b1a00" stroke-width="9" stroke-linecap="round"/></svg>`;
}

/** 30 PNG, 10 JPEG and 10 animated GIF (6 frames), all 200×200 and within the size limits. */
async function packImages(): Promise<Array<{ name: string; data: Buffer }>> {
  const images: Array<{ name: string; data: Buffer }> = [];
  for (let i = 0; i < 30; i++) images.push({ name: `png-${i}.png`, data: await sharp(Buffer.from(face(i * 12))).png().toBuffer() });
  for (let i = 0; i < 10; i++) images.push({ name: `jpeg-${i}.jpg`, data: await sharp(Buffer.from(face(i * 36 + 5))).flatten({ background: '#ffffff' }).jpeg({ quality: 85 }).toBuffer() });
  for (let i = 0; i < 10; i++) {
    const frames = await Promise.all(Array.from({ length: 6 }, (_, f) => sharp(Buffer.from(face(i * 36 + f * 60))).png().toBuffer()));
    images.push({ name: `gif-${i}.gif`, data: await sharp(frames, { join: { animated: true } }).gif({ delay: 120, loop: 0 }).toBuffer() });
  }
  return images;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const round = (n: number) => Math.round(n * 10) / 10;

/** Median time of `fn` after a warm-up; a function it returns is run afterwards, untimed (clean-up). */
async function timed(runs: number, fn: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i <= runs; i++) {
    const start = performance.now();
    const after = await fn();
    if (i > 0) times.push(performance.now() - start); // run 0 warms up module loading and sharp
    if (typeof after === 'function') await after();
  }
  return round(median(times));
}

/** A fresh database on the PostgreSQL server, dropped afterwards. */
async function createDatabase(serverUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `parley_bench_emoji_${crypto.randomBytes(5).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: serverUrl });
    await c.connect();
    await c.query(sql);
    await c.end();
  };
  await admin(`create database ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`drop database if exists ${name} with (force)`) };
}

async function startApp(databaseUrl: string | undefined): Promise<{ app: ParleyApp; token: string; cleanup(): Promise<void> }> {
  const benchDb = databaseUrl ? await createDatabase(databaseUrl) : null;
  const db = await openDatabase(benchDb ? { url: benchDb.url } : {});
  const config = loadConfig({}, { pluginPaths: [], port: 0, host: '127.0.0.1', logLevel: 'silent', operatorToken: OPERATOR_TOKEN, seedDemo: false, redisUrl: undefined });
  const app = await buildApp({ config, db, logger: pino({ level: 'silent' }) });
  const operator = (method: 'POST', url: string, payload: object) =>
    app.http.inject({ method, url, payload, headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  const created = await operator('POST', '/api/operator/tenants', { slug: 'bench', name: 'Bench', edition: 'flagship', seats: 5 });
  if (created.statusCode !== 201) throw new Error(`tenant: ${created.body}`);
  const password = 'correct horse battery';
  const member = await operator('POST', '/api/operator/tenants/bench/members', { email: 'admin@bench.test', name: 'Admin', password, roleKey: 'admin' });
  if (member.statusCode !== 201) throw new Error(`member: ${member.body}`);
  const login = await app.http.inject({ method: 'POST', url: '/api/auth/login', payload: { tenant: 'bench', email: 'admin@bench.test', password } });
  return {
    app,
    token: login.json().token as string,
    async cleanup() {
      await app.close();
      await benchDb?.drop();
    },
  };
}

export async function customEmojiBench(opts: { quick: boolean; databaseUrl?: string }): Promise<CustomEmojiBenchResult> {
  const runs = opts.quick ? 3 : 7;
  const images = await packImages();
  const zip = buildZip(images);

  const validation = await validatePack(zip);
  if (!validation.ok) throw new Error(`the bench pack is invalid: ${JSON.stringify(validation.errors)}`);

  const decode = await timed(runs, async () => {
    for (const { data } of images) await sharp(data, { animated: true }).raw().toBuffer();
  });
  const decodeThumb = await timed(runs, async () => {
    for (const { data } of images) {
      await sharp(data, { animated: true }).raw().toBuffer();
      await sharp(data, { animated: true }).resize(THUMBNAIL_SIDE_PX, THUMBNAIL_SIDE_PX, { fit: 'inside' }).webp().toBuffer();
    }
  });
  const validate = await timed(runs, () => validatePack(zip));

  const { app, token, cleanup } = await startApp(opts.databaseUrl);
  let upload: number;
  try {
    const body = multipart([{ name: 'name', value: 'Bench' }, { name: 'file', file: { filename: 'bench.zip', data: zip } }]);
    upload = await timed(runs, async () => {
      const res = await app.http.inject({ method: 'POST', url: '/api/custom-emoji/packs', payload: body.payload, headers: { authorization: `Bearer ${token}`, 'content-type': body.contentType } });
      if (res.statusCode !== 201) throw new Error(`upload: ${res.statusCode} ${res.body.slice(0, 300)}`);
      // Deleted again after timing: a tenant holds 5 packs at most.
      return () => app.http.inject({ method: 'DELETE', url: `/api/custom-emoji/packs/${res.json().pack.id}`, headers: { authorization: `Bearer ${token}` } });
    });
  } finally {
    await cleanup();
  }

  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const kb = Math.round(zip.length / 1024);
  return {
    name: 'custom-emoji',
    figures: { validateMs: validate, uploadMs: upload },
    baseline: { decodeMs: decode, decodeThumbMs: decodeThumb },
    ratio: { validateVsDecode: ratio(validate, decode), validateVsDecodeThumb: ratio(validate, decodeThumb), uploadVsDecodeThumb: ratio(upload, decodeThumb) },
    cores: os.cpus().length,
    database: opts.databaseUrl ? 'postgres' : 'pglite',
    notes: [
      `pack: 50 emoji (30 PNG, 10 JPEG, 10 animated GIF of 6 frames), 200×200, zip ${kb} KB; median of ${runs} runs after a warm-up`,
      `upload ${upload} ms against the 2 s target: ${upload < TARGET_MS ? 'PASS' : 'FAIL'}`,
      `load average at the end: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`,
    ],
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = process.argv.includes('--quick');
  customEmojiBench({ quick, databaseUrl: process.env.DATABASE_URL || undefined }).then(
    (r) => {
      console.log(`== ${r.name} (${r.database}, ${r.cores} cores)`);
      console.log(`${'figure'.padEnd(10)} ${'ms'.padStart(9)}`);
      for (const [k, v] of [...Object.entries(r.figures), ...Object.entries(r.baseline)]) console.log(`${k.padEnd(14)} ${String(v).padStart(9)}`);
      for (const [k, v] of Object.entries(r.ratio)) console.log(`ratio ${k}: ${v}`);
      for (const n of r.notes) console.log(`note: ${n}`);
    },
    (err) => {
      console.error(`bench: ${err instanceof Error ? err.stack : err}`);
      process.exit(1);
    },
  );
}
