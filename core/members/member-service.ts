/** Admins and agents of a tenant. Creating one takes a seat. */
import type { Knex } from 'knex';
import { Member, Tenant } from '../models/index.ts';
import { errors } from '../http/errors.ts';
import { isUuid } from '../http/ids.ts';
import { hashPassword } from '../auth/secrets.ts';
import type { RoleService } from '../permissions/role-service.ts';
import type { HookBus } from '../hooks/hook-bus.ts';

export interface MemberView {
  id: string;
  email: string;
  name: string;
  roleKey: string;
  disabled: boolean;
  createdAt: string;
}

export interface CreateMemberInput {
  email: string;
  name: string;
  password: string;
  roleKey: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function memberView(m: Member): MemberView {
  return { id: m.id, email: m.email, name: m.name, roleKey: m.role_key, disabled: m.disabled, createdAt: new Date(m.created_at).toISOString() };
}

export class MemberService {
  constructor(
    private readonly knex: Knex,
    private readonly roles: RoleService,
    private readonly hooks: HookBus,
  ) {}

  async create(tenantId: string, input: CreateMemberInput): Promise<MemberView> {
    const email = input.email.trim().toLowerCase();
    if (!EMAIL.test(email)) throw errors.badRequest('INVALID_EMAIL', 'That is not an email address.', 'email');
    if (input.password.length < 8) throw errors.badRequest('WEAK_PASSWORD', 'A password has at least 8 characters.', 'password');
    await this.roles.get(tenantId, input.roleKey);
    const passwordHash = await hashPassword(input.password);
    const member = await this.knex.transaction(async (trx) => {
      // Lock the tenant row so two concurrent creations cannot both take the last seat.
      const tenant = await Tenant.query(trx).findById(tenantId).forUpdate();
      if (!tenant) throw errors.notFound('TENANT_NOT_FOUND', 'No such tenant.');
      const used = await Member.query(trx).where({ tenant_id: tenantId, disabled: false }).resultSize();
      if (used >= tenant.seats) throw errors.conflict('SEATS_EXHAUSTED', `All ${tenant.seats} seats are in use; buy more seats or disable a member.`);
      const exists = await Member.query(trx).findOne({ tenant_id: tenantId, email });
      if (exists) throw errors.conflict('MEMBER_EXISTS', `${email} is already a member.`, 'email');
      return Member.query(trx).insertAndFetch({
        tenant_id: tenantId, email, name: input.name, password_hash: passwordHash, role_key: input.roleKey,
      });
    });
    void this.hooks.action('member.created', { tenantId }, { memberId: member.id, roleKey: member.role_key });
    return memberView(member);
  }

  async list(tenantId: string): Promise<MemberView[]> {
    return (await Member.query(this.knex).where({ tenant_id: tenantId }).orderBy('created_at')).map(memberView);
  }

  async get(tenantId: string, id: string): Promise<Member> {
    const member = isUuid(id) ? await Member.query(this.knex).findOne({ tenant_id: tenantId, id }) : undefined;
    if (!member) throw errors.notFound('MEMBER_NOT_FOUND', 'No such member.');
    return member;
  }

  async update(tenantId: string, id: string, patch: { name?: string; roleKey?: string; disabled?: boolean; password?: string }): Promise<MemberView> {
    const member = await this.get(tenantId, id);
    if (patch.roleKey !== undefined) await this.roles.get(tenantId, patch.roleKey);
    if (patch.password !== undefined && patch.password.length < 8) throw errors.badRequest('WEAK_PASSWORD', 'A password has at least 8 characters.', 'password');
    const passwordHash = patch.password !== undefined ? await hashPassword(patch.password) : undefined;
    const updated = await this.knex.transaction(async (trx) => {
      // Lock the tenant row: seat and last-admin checks must not race with other member changes.
      const tenant = await Tenant.query(trx).findById(tenantId).forUpdate();
      if (!tenant) throw errors.notFound('TENANT_NOT_FOUND', 'No such tenant.');
      const current = await Member.query(trx).findOne({ tenant_id: tenantId, id: member.id });
      if (!current) throw errors.notFound('MEMBER_NOT_FOUND', 'No such member.');
      if (patch.disabled === false && current.disabled) {
        const used = await Member.query(trx).where({ tenant_id: tenantId, disabled: false }).resultSize();
        if (used >= tenant.seats) throw errors.conflict('SEATS_EXHAUSTED', `All ${tenant.seats} seats are in use; buy more seats or disable a member.`);
      }
      const losesAdmin = current.role_key === 'admin' && !current.disabled
        && (patch.disabled === true || (patch.roleKey !== undefined && patch.roleKey !== 'admin'));
      if (losesAdmin) {
        const admins = await Member.query(trx).where({ tenant_id: tenantId, role_key: 'admin', disabled: false }).whereNot({ id: current.id }).resultSize();
        if (admins === 0) throw errors.conflict('LAST_ADMIN', 'The tenant would have no active administrator left.');
      }
      const row = await Member.query(trx).patchAndFetchById(current.id, {
        ...(patch.name !== undefined ? { name: patch.name } : {}),
        ...(patch.roleKey !== undefined ? { role_key: patch.roleKey } : {}),
        ...(patch.disabled !== undefined ? { disabled: patch.disabled } : {}),
        ...(passwordHash !== undefined ? { password_hash: passwordHash } : {}),
      });
      if (patch.disabled || passwordHash !== undefined) {
        await trx('member_sessions').where({ tenant_id: tenantId, member_id: current.id }).delete();
      }
      return row;
    });
    return memberView(updated);
  }
}
