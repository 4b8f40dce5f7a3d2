/**
 * Roles of a tenant: the system roles `admin` (every node) and `agent` (nodes declared for agents),
 * plus custom roles that grant any set of subtrees.
 */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { Role, Member, ApiKey } from '../models/index.ts';
import { errors } from '../http/errors.ts';
import { grantsCover, type PermissionRegistry } from './tree.ts';

export interface RoleView {
  key: string;
  name: string;
  system: boolean;
  grants: string[];
}

export class RoleService {
  constructor(
    private readonly knex: Knex,
    private readonly registry: PermissionRegistry,
  ) {}

  /** The grants a role gives; `*` stands for every node. */
  grantsOf(role: Pick<Role, 'key' | 'system' | 'grants'>): string[] {
    if (role.system && role.key === 'admin') return ['*'];
    if (role.system && role.key === 'agent') return this.registry.agentDefaults();
    return role.grants;
  }

  async list(tenantId: string): Promise<RoleView[]> {
    const roles = await Role.query(this.knex).where({ tenant_id: tenantId }).orderBy([{ column: 'system', order: 'desc' }, 'created_at']);
    return roles.map((r) => this.view(r));
  }

  async get(tenantId: string, key: string): Promise<Role> {
    const role = await Role.query(this.knex).findOne({ tenant_id: tenantId, key });
    if (!role) throw errors.notFound('ROLE_NOT_FOUND', `No role "${key}".`);
    return role;
  }

  view(role: Role): RoleView {
    return { key: role.key, name: role.name, system: role.system, grants: this.grantsOf(role) };
  }

  /**
   * Refuses to let someone hand out what they do not hold: a member may give a role (to a member, an
   * API key, or a custom role's grants) only if their own grants cover all of it.
   */
  assertWithin(holderGrants: string[], grants: string[]): void {
    const beyond = grants.filter((g) => !grantsCover(holderGrants, g));
    if (beyond.length) {
      throw errors.forbidden('PERMISSION_ESCALATION', `You cannot hand out permissions you do not hold: ${beyond.join(', ')}.`);
    }
  }

  /** `assertWithin` for handing out the role `key` of the tenant. */
  async assertRoleWithin(tenantId: string, holderGrants: string[], key: string): Promise<void> {
    this.assertWithin(holderGrants, this.grantsOf(await this.get(tenantId, key)));
  }

  private checkGrants(grants: string[]): string[] {
    for (const g of grants) {
      if (!this.registry.has(g)) throw errors.badRequest('UNKNOWN_PERMISSION', `There is no permission "${g}".`, 'grants');
    }
    return [...new Set(grants)].sort();
  }

  /** `holderGrants`: the grants of whoever creates the role, which must cover the new role's. */
  async create(tenantId: string, name: string, grants: string[], holderGrants: string[] = ['*']): Promise<RoleView> {
    const checked = this.checkGrants(grants);
    this.assertWithin(holderGrants, checked);
    const role = await Role.query(this.knex).insertAndFetch({
      tenant_id: tenantId,
      key: `role-${crypto.randomBytes(4).toString('hex')}`,
      name,
      system: false,
      grants: checked,
    });
    return this.view(role);
  }

  async update(tenantId: string, key: string, patch: { name?: string; grants?: string[] }, holderGrants: string[] = ['*']): Promise<RoleView> {
    const role = await this.get(tenantId, key);
    if (role.system) throw errors.forbidden('SYSTEM_ROLE', 'System roles cannot be changed.');
    this.assertWithin(holderGrants, role.grants);
    const grants = patch.grants !== undefined ? this.checkGrants(patch.grants) : undefined;
    if (grants) this.assertWithin(holderGrants, grants);
    const updated = await Role.query(this.knex).patchAndFetchById(role.id, {
      ...(patch.name !== undefined ? { name: patch.name } : {}),
      ...(grants !== undefined ? { grants } : {}),
    });
    return this.view(updated);
  }

  async remove(tenantId: string, key: string): Promise<void> {
    const role = await this.get(tenantId, key);
    if (role.system) throw errors.forbidden('SYSTEM_ROLE', 'System roles cannot be deleted.');
    const users = await Member.query(this.knex).where({ tenant_id: tenantId, role_key: key }).resultSize();
    if (users > 0) throw errors.conflict('ROLE_IN_USE', `${users} member(s) still have this role.`);
    const keys = await ApiKey.query(this.knex).where({ tenant_id: tenantId, role_key: key }).whereNull('revoked_at').resultSize();
    if (keys > 0) throw errors.conflict('ROLE_IN_USE', `${keys} API key(s) still act with this role.`);
    await Role.query(this.knex).deleteById(role.id);
  }
}
