/** Who is making a request or holding a socket. */
export interface MemberPrincipal {
  kind: 'member';
  tenantId: string;
  memberId: string;
  roleKey: string;
  /** Granted permission keys; `*` for the admin role. */
  grants: string[];
  /** Set when authenticated by a console/API session. */
  sessionId?: string;
  /** Set when authenticated by an API key. */
  apiKeyId?: string;
}

export interface VisitorPrincipal {
  kind: 'visitor';
  tenantId: string;
  visitorId: string;
}

export interface OperatorPrincipal {
  kind: 'operator';
}

export type Principal = MemberPrincipal | VisitorPrincipal | OperatorPrincipal;
