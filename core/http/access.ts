/**
 * The gate every request passes, in order: who is calling (cookie, bearer token, API key, visitor
 * token, operator token), whether the route's plugin is on for the caller's tenant, and whether the
 * caller holds the route's permission node.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { errors } from './errors.ts';
import { grantsCover } from '../permissions/tree.ts';
import type { AuthService } from '../auth/auth-service.ts';
import type { PluginStateService } from '../plugin-host/plugin-state.ts';
import type { MemberPrincipal, Principal, VisitorPrincipal } from '../auth/principal.ts';
import { safeEqual } from '../auth/secrets.ts';
import type { TenantService } from '../tenants/tenant-service.ts';

export const SESSION_COOKIE = 'parley_session';
/** A browser-session cookie: its absence on a remembered session means the console was reopened. */
export const LIVE_COOKIE = 'parley_live';

export function bearer(request: FastifyRequest): string | undefined {
  const h = request.headers.authorization;
  if (h && /^Bearer\s+/i.test(h)) return h.replace(/^Bearer\s+/i, '').trim();
  return undefined;
}

interface Deps {
  auth: AuthService;
  tenants: TenantService;
  pluginState: PluginStateService;
  operatorToken?: string;
}

export async function resolvePrincipal(request: FastifyRequest, permission: string, deps: Deps): Promise<Principal | null> {
  const token = bearer(request);
  if (permission === '@operator') {
    return deps.operatorToken && token && safeEqual(token, deps.operatorToken) ? { kind: 'operator' } : null;
  }
  if (permission === '@visitor') return token ? deps.auth.verifyVisitorToken(token) : null;
  const memberToken = token ?? request.cookies?.[SESSION_COOKIE];
  return memberToken ? deps.auth.resolveMemberToken(memberToken) : null;
}

export const pluginDisabled = (pluginId: string) =>
  errors.notFound('PLUGIN_DISABLED', `The plugin "${pluginId}" is not enabled for this tenant.`);

export function registerAccessGate(app: FastifyInstance, deps: Deps): void {
  app.decorateRequest('principal', null);
  app.decorateRequest('member', function (this: FastifyRequest): MemberPrincipal {
    if (this.principal?.kind !== 'member') throw errors.unauthorized();
    return this.principal;
  });
  app.decorateRequest('visitor', function (this: FastifyRequest): VisitorPrincipal {
    if (this.principal?.kind !== 'visitor') throw errors.unauthorized('A visitor token is required.');
    return this.principal;
  });

  app.addHook('onRequest', async (request) => {
    const config = request.routeOptions.config;
    const permission = config.permission;
    if (!request.routeOptions.url) return; // 404s: nothing to guard
    if (!permission) throw new Error(`route ${request.method} ${request.routeOptions.url} declares no permission`);
    if (permission === '@public') {
      // A public plugin route names its tenant in the path (`:tenant`, a slug), so it is gated too.
      if (config.pluginId) {
        const slug = (request.params as { tenant?: string }).tenant ?? '';
        const tenant = await deps.tenants.bySlug(slug);
        if (!(await deps.pluginState.isEnabled(tenant.id, config.pluginId))) throw pluginDisabled(config.pluginId);
      }
      return;
    }
    const principal = await resolvePrincipal(request, permission, deps);
    if (!principal) throw errors.unauthorized(permission === '@operator' ? 'The operator token is missing or wrong.' : undefined);
    request.principal = principal;
    if (config.pluginId && principal.kind !== 'operator') {
      if (!(await deps.pluginState.isEnabled(principal.tenantId, config.pluginId))) {
        throw pluginDisabled(config.pluginId);
      }
    }
    if (permission.startsWith('@')) {
      const kindFor: Record<string, Principal['kind']> = { '@member': 'member', '@visitor': 'visitor', '@operator': 'operator' };
      if (principal.kind !== kindFor[permission]) throw errors.unauthorized();
      return;
    }
    if (principal.kind !== 'member') throw errors.unauthorized();
    if (!grantsCover(principal.grants, permission)) {
      throw errors.forbidden('PERMISSION_DENIED', `Your role lacks the permission "${permission}".`);
    }
  });
}
