/**
 * Member sign-in (console sessions and bearer tokens), API keys, and visitor tokens.
 * Session tokens and API keys are random and stored only as digests; visitor tokens are signed
 * with the tenant's own secret so they are scoped to that tenant.
 */
import type { Knex } from 'knex';
import { Member, MemberSession, ApiKey, LoginEvent, Role, Visitor } from '../models/index.ts';
import { errors } from '../http/errors.ts';
import { isUuid } from '../http/ids.ts';
import { digest, hmac, newToken, safeEqual, verifyPassword } from './secrets.ts';
import type { MemberPrincipal, VisitorPrincipal } from './principal.ts';
import type { RoleService } from '../permissions/role-service.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import type { HookBus } from '../hooks/hook-bus.ts';
import { memberView, type MemberView } from '../members/member-service.ts';

export const SESSION_HOURS = 12;
export const REMEMBER_DAYS = 7;
const VISITOR_TOKEN_DAYS = 365;
/**
 * How long a resolved session token is reused without reading the database. Changes made through
 * Parley (sign-out, a member disabled or given another role, role grants edited) drop the entries
 * at once on every process (`forget`, called by the realtime recheck); this bounds anything else.
 */
const PRINCIPAL_CACHE_MS = 10_000;
const PRINCIPAL_CACHE_MAX = 10_000;

type SessionPrincipal = MemberPrincipal & { remember?: boolean };

const identityKey = (visitorSecret: string) => hmac(visitorSecret, 'parley identity v1');

export interface LoginResult {
  token: string;
  expiresAt: Date;
  remember: boolean;
  member: MemberView;
  tenantId: string;
}

export interface VisitorView {
  id: string;
  /** The site's own id for a signed-in user (identity verification); null for an anonymous visitor. */
  externalId: string | null;
  name: string | null;
  email: string | null;
  createdAt: Date;
  lastSeenAt: Date;
}

export class AuthService {
  constructor(
    private readonly knex: Knex,
    private readonly tenants: TenantService,
    private readonly roles: RoleService,
    private readonly hooks: HookBus,
  ) {}

  async login(input: { tenant: string; email: string; password: string; remember?: boolean; ip?: string }): Promise<LoginResult> {
    const invalid = () => errors.unauthorized('The tenant, email or password is wrong.');
    const tenant = await this.tenants.bySlug(input.tenant).catch(() => null);
    // Hash anyway when the tenant or member is unknown, so timing does not reveal which one was wrong.
    const member = tenant ? await Member.query(this.knex).findOne({ tenant_id: tenant.id, email: input.email.trim().toLowerCase() }) : undefined;
    const ok = await verifyPassword(input.password, member?.password_hash ?? 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA');
    if (!tenant || !member || !ok) throw invalid();
    if (member.disabled) throw errors.forbidden('MEMBER_DISABLED', 'This account is disabled.');
    const remember = !!input.remember;
    const token = newToken('ps');
    const expiresAt = new Date(Date.now() + (remember ? REMEMBER_DAYS * 24 : SESSION_HOURS) * 3600_000);
    await this.knex.transaction(async (trx) => {
      await MemberSession.query(trx).insert({ tenant_id: tenant.id, member_id: member.id, token_hash: digest(token), remember, expires_at: expiresAt });
      await LoginEvent.query(trx).insert({ tenant_id: tenant.id, member_id: member.id, kind: 'manual', ip: input.ip ?? null });
    });
    void this.hooks.action('member.login', { tenantId: tenant.id }, { memberId: member.id, kind: 'manual' });
    return { token, expiresAt, remember, member: memberView(member), tenantId: tenant.id };
  }

  /** Records that a remembered session opened the console again without a password. */
  async recordRememberedLogin(principal: MemberPrincipal, ip?: string): Promise<void> {
    await LoginEvent.query(this.knex).insert({ tenant_id: principal.tenantId, member_id: principal.memberId, kind: 'remembered', ip: ip ?? null });
    void this.hooks.action('member.login', { tenantId: principal.tenantId }, { memberId: principal.memberId, kind: 'remembered' });
  }

  async logout(token: string): Promise<void> {
    await MemberSession.query(this.knex).where({ token_hash: digest(token) }).delete();
    this.principals.delete(digest(token));
  }

  private readonly principals = new Map<string, { principal: SessionPrincipal; expires: number; at: number }>();

  /** Drops resolved sessions of one member (or all), so the next request reads them afresh. */
  forget(memberId?: string): void {
    if (!memberId) return this.principals.clear();
    for (const [key, hit] of this.principals) if (hit.principal.memberId === memberId) this.principals.delete(key);
  }

  /** Resolves a session token or API key to a member principal; null when unknown or expired. */
  async resolveMemberToken(token: string): Promise<SessionPrincipal | null> {
    if (token.startsWith('pk_')) {
      const key = await ApiKey.query(this.knex).findOne({ key_hash: digest(token) }).whereNull('revoked_at');
      if (!key) return null;
      const role = await Role.query(this.knex).findOne({ tenant_id: key.tenant_id, key: key.role_key });
      if (!role) return null;
      // "Last used" to the minute: not a write on every request of a busy integration.
      if (!key.last_used_at || Date.now() - new Date(key.last_used_at).getTime() > 60_000) {
        await ApiKey.query(this.knex).patch({ last_used_at: new Date() }).where({ id: key.id });
      }
      return { kind: 'member', tenantId: key.tenant_id, memberId: key.created_by ?? key.id, roleKey: role.key, grants: this.roles.grantsOf(role), apiKeyId: key.id };
    }
    if (!token.startsWith('ps_')) return null;
    const key = digest(token);
    const hit = this.principals.get(key);
    const now = Date.now();
    if (hit && now - hit.at < PRINCIPAL_CACHE_MS && now < hit.expires) return hit.principal;
    // Every console request and socket recheck comes through here: session, member and role in one read.
    const row = await this.knex('member_sessions as s')
      .join('members as m', function () {
        this.on('m.id', 's.member_id').andOn('m.tenant_id', 's.tenant_id');
      })
      .join('roles as r', function () {
        this.on('r.tenant_id', 'm.tenant_id').andOn('r.key', 'm.role_key');
      })
      .where('s.token_hash', key)
      .first('s.id as session_id', 's.remember', 's.expires_at', 'm.id as member_id', 'm.tenant_id', 'm.disabled', 'r.key as role_key', 'r.system', 'r.grants');
    if (!row || row.disabled || new Date(row.expires_at).getTime() < Date.now()) return null;
    const grants = this.roles.grantsOf({ key: row.role_key, system: row.system, grants: typeof row.grants === 'string' ? JSON.parse(row.grants) : row.grants });
    const principal: SessionPrincipal = { kind: 'member', tenantId: row.tenant_id, memberId: row.member_id, roleKey: row.role_key, grants, sessionId: row.session_id, remember: row.remember };
    this.principals.delete(key);
    if (this.principals.size >= PRINCIPAL_CACHE_MAX) this.principals.delete(this.principals.keys().next().value!);
    this.principals.set(key, { principal, expires: new Date(row.expires_at).getTime(), at: now });
    return principal;
  }

  async createApiKey(tenantId: string, createdBy: string | null, name: string, roleKey: string): Promise<{ id: string; key: string; prefix: string }> {
    await this.roles.get(tenantId, roleKey);
    const key = newToken('pk');
    const row = await ApiKey.query(this.knex).insertAndFetch({
      tenant_id: tenantId, name, prefix: key.slice(0, 10), key_hash: digest(key), role_key: roleKey, created_by: createdBy,
    });
    return { id: row.id, key, prefix: row.prefix };
  }

  async listApiKeys(tenantId: string) {
    const keys = await ApiKey.query(this.knex).where({ tenant_id: tenantId }).whereNull('revoked_at').orderBy('created_at');
    return keys.map((k) => ({ id: k.id, name: k.name, prefix: k.prefix, roleKey: k.role_key, createdAt: new Date(k.created_at).toISOString(), lastUsedAt: k.last_used_at ? new Date(k.last_used_at).toISOString() : null }));
  }

  async revokeApiKey(tenantId: string, id: string): Promise<void> {
    const n = isUuid(id) ? await ApiKey.query(this.knex).patch({ revoked_at: new Date() }).where({ tenant_id: tenantId, id }).whereNull('revoked_at') : 0;
    if (!n) throw errors.notFound('API_KEY_NOT_FOUND', 'No such API key.');
  }

  // ---- visitors ----

  /**
   * The key a tenant's site signs its users' ids with. Derived from the key that signs visitor
   * tokens rather than equal to it, so a site holding it cannot mint visitor tokens.
   */
  async identitySecret(tenantId: string): Promise<string> {
    return identityKey((await this.tenants.get(tenantId)).visitor_secret);
  }

  private async signVisitor(tenantId: string, visitorId: string): Promise<string> {
    const tenant = await this.tenants.get(tenantId);
    const payload = Buffer.from(JSON.stringify({ t: tenantId, v: visitorId, exp: Date.now() + VISITOR_TOKEN_DAYS * 86400_000 })).toString('base64url');
    return `pv1.${payload}.${hmac(tenant.visitor_secret, payload)}`;
  }

  async verifyVisitorToken(token: string): Promise<VisitorPrincipal | null> {
    const [version, payload, sig] = token.split('.');
    if (version !== 'pv1' || !payload || !sig) return null;
    let data: { t?: unknown; v?: unknown; exp?: unknown };
    try {
      data = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    } catch {
      return null;
    }
    if (typeof data.t !== 'string' || typeof data.v !== 'string' || typeof data.exp !== 'number' || data.exp < Date.now()) return null;
    const tenant = await this.tenants.get(data.t).catch(() => null);
    if (!tenant || !safeEqual(hmac(tenant.visitor_secret, payload), sig)) return null;
    return { kind: 'visitor', tenantId: tenant.id, visitorId: data.v };
  }

  /** A visitor as plugins see it (they do not read the kernel's tables); undefined when there is none. */
  async visitor(tenantId: string, visitorId: string): Promise<VisitorView | undefined> {
    if (!isUuid(visitorId)) return undefined;
    const row = await Visitor.query(this.knex).findOne({ tenant_id: tenantId, id: visitorId });
    return row && { id: row.id, externalId: row.external_id, name: row.name, email: row.email, createdAt: row.created_at, lastSeenAt: row.last_seen_at };
  }

  /**
   * Starts or resumes a visitor. With `identity` (the site's user id and an HMAC of it made with
   * the tenant's identity secret on the site's server) the visitor is the site's known user.
   * A token for another tenant is ignored: the visitor starts afresh in this one.
   */
  async visitorSession(input: {
    tenant: string;
    token?: string;
    name?: string;
    email?: string;
    identity?: { externalId: string; signature: string };
  }): Promise<{ token: string; visitorId: string; tenantId: string; created: boolean }> {
    const tenant = await this.tenants.bySlug(input.tenant);
    if (input.identity) {
      if (!safeEqual(hmac(identityKey(tenant.visitor_secret), input.identity.externalId), input.identity.signature)) {
        throw errors.forbidden('IDENTITY_SIGNATURE_INVALID', 'The identity signature does not match this tenant.');
      }
    }
    let visitor: Visitor | undefined;
    if (input.identity) visitor = await Visitor.query(this.knex).findOne({ tenant_id: tenant.id, external_id: input.identity.externalId });
    if (!visitor && input.token) {
      const existing = await this.verifyVisitorToken(input.token);
      if (existing && existing.tenantId === tenant.id) visitor = await Visitor.query(this.knex).findOne({ tenant_id: tenant.id, id: existing.visitorId });
      // A browser's anonymous visitor becomes the signed-in user; one already known as someone else
      // (another user of the same browser) is never merged into this one.
      if (visitor && input.identity && visitor.external_id && visitor.external_id !== input.identity.externalId) visitor = undefined;
    }
    let created = false;
    if (!visitor) {
      visitor = await Visitor.query(this.knex).insertAndFetch({
        tenant_id: tenant.id, external_id: input.identity?.externalId ?? null, name: input.name ?? null, email: input.email ?? null, attributes: {},
      });
      created = true;
      void this.hooks.action('visitor.created', { tenantId: tenant.id }, { visitorId: visitor.id });
    } else {
      await Visitor.query(this.knex).patch({
        last_seen_at: new Date(),
        ...(input.name ? { name: input.name } : {}),
        ...(input.email ? { email: input.email } : {}),
        ...(input.identity ? { external_id: input.identity.externalId } : {}),
      }).where({ id: visitor.id });
    }
    return { token: await this.signVisitor(tenant.id, visitor.id), visitorId: visitor.id, tenantId: tenant.id, created };
  }
}
