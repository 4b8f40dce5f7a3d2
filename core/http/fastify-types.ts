/** What the kernel adds to fastify's request and route config. */
import type { Principal, MemberPrincipal, VisitorPrincipal } from '../auth/principal.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The permission node a caller needs, or who may call: `@public` (anyone), `@member` (any signed-in
     * member), `@visitor` (a visitor token), `@operator` (the platform operator). Required on every route.
     */
    permission?: string;
    /** Set by the plugin host on every route a plugin registers. */
    pluginId?: string;
  }
  interface FastifyRequest {
    principal: Principal | null;
    /** Shorthands that throw 401 when the caller is not of that kind. */
    member(): MemberPrincipal;
    visitor(): VisitorPrincipal;
  }
}
