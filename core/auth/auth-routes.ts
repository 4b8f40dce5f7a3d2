/** Member sign-in for the console (cookie) and API clients (bearer token). */
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { KernelServices } from '../plugin-host/context.ts';
import { LIVE_COOKIE, SESSION_COOKIE, bearer } from '../http/access.ts';
import { MemberSchema, Ok } from '../http/schemas.ts';
import { memberView } from '../members/member-service.ts';

const LoginBody = Type.Object({
  tenant: Type.String({ minLength: 1, maxLength: 64 }),
  email: Type.String({ minLength: 3, maxLength: 254 }),
  password: Type.String({ minLength: 1, maxLength: 1024 }),
  remember: Type.Optional(Type.Boolean()),
});

export function authRoutes(k: KernelServices) {
  return async (root: FastifyInstance) => {
    const app = root.withTypeProvider<TypeBoxTypeProvider>();
    const secure = k.config.publicUrl.startsWith('https://');

    app.post('/login', {
      schema: {
        tags: ['auth'],
        summary: 'Sign in with tenant, email and password',
        body: LoginBody,
        response: { 200: Type.Object({ token: Type.String(), expiresAt: Type.String(), tenantId: Type.String(), member: MemberSchema }) },
      },
      config: {
        permission: '@public',
        rateLimit: {
          max: k.config.loginRateLimit.max,
          timeWindow: k.config.loginRateLimit.windowMs,
          // Counted after the body is parsed, so each address of each tenant has its own budget per client.
          hook: 'preHandler',
          keyGenerator: (req) => {
            const body = req.body as { tenant?: string; email?: string };
            return `${req.ip}|${body.tenant}|${String(body.email).trim().toLowerCase()}`;
          },
          errorResponseBuilder: (_req, ctx) => ({ statusCode: 429, code: 'TOO_MANY_ATTEMPTS', message: `Too many sign-in attempts; try again in ${Math.ceil(ctx.ttl / 1000)} s.` }),
        },
      },
    }, async (request, reply) => {
      const result = await k.auth.login({ ...request.body, ip: request.ip });
      reply.setCookie(SESSION_COOKIE, result.token, {
        path: '/', httpOnly: true, sameSite: 'lax', secure,
        ...(result.remember ? { expires: result.expiresAt } : {}),
      });
      reply.setCookie(LIVE_COOKIE, '1', { path: '/', httpOnly: true, sameSite: 'lax', secure });
      return { token: result.token, expiresAt: result.expiresAt.toISOString(), tenantId: result.tenantId, member: result.member };
    });

    app.post('/logout', { schema: { tags: ['auth'], summary: 'Sign out this session', response: { 200: Ok } }, config: { permission: '@member' } }, async (request, reply) => {
      const token = bearer(request) ?? request.cookies[SESSION_COOKIE];
      if (token) await k.auth.logout(token);
      // Sockets opened with that session end now rather than at the next sweep.
      const m = request.member();
      if (m.sessionId) await k.realtime.recheckMember(m.memberId);
      reply.clearCookie(SESSION_COOKIE, { path: '/' });
      reply.clearCookie(LIVE_COOKIE, { path: '/' });
      return { ok: true };
    });

    app.get('/me', {
      schema: { tags: ['auth'], summary: 'The signed-in member; a remembered session reopening the console counts as a remembered login', response: { 200: Type.Object({ member: MemberSchema, grants: Type.Array(Type.String()) }) } },
      config: { permission: '@member' },
    }, async (request, reply) => {
      const principal = request.member();
      const remembered = (principal as { remember?: boolean }).remember;
      if (remembered && !bearer(request) && !request.cookies[LIVE_COOKIE]) {
        await k.auth.recordRememberedLogin(principal, request.ip);
        reply.setCookie(LIVE_COOKIE, '1', { path: '/', httpOnly: true, sameSite: 'lax', secure });
      }
      const member = await k.members.get(principal.tenantId, principal.memberId);
      return { member: memberView(member), grants: principal.grants };
    });
  };
}
