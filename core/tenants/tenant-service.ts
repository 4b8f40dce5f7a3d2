/** Tenants: edition, purchased add-ons and seats. Managed by the platform operator. */
import crypto from 'node:crypto';
import type { Knex } from 'knex';
import { Tenant, Role } from '../models/index.ts';
import { errors } from '../http/errors.ts';
import { isUuid } from '../http/ids.ts';

export const EDITIONS = ['standard', 'flagship'] as const;
export type Edition = (typeof EDITIONS)[number];

export interface CreateTenantInput {
  slug: string;
  name: string;
  edition?: Edition;
  seats?: number;
  addons?: string[];
}

const SLUG = /^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$/;

export const SYSTEM_ROLES = [
  { key: 'admin', name: 'Administrator' },
  { key: 'agent', name: 'Agent' },
] as const;

export class TenantService {
  private readonly cache = new Map<string, { tenant: Tenant; at: number }>();

  constructor(private readonly knex: Knex) {}

  async create(input: CreateTenantInput, trx: Knex | Knex.Transaction = this.knex): Promise<Tenant> {
    if (!SLUG.test(input.slug)) {
      throw errors.badRequest('INVALID_SLUG', 'A tenant slug is 3 to 40 lowercase letters, digits or dashes.', 'slug');
    }
    const edition = input.edition ?? 'standard';
    if (!EDITIONS.includes(edition)) throw errors.badRequest('INVALID_EDITION', `Edition must be one of ${EDITIONS.join(', ')}.`, 'edition');
    const existing = await Tenant.query(trx).findOne({ slug: input.slug });
    if (existing) throw errors.conflict('TENANT_EXISTS', `A tenant with slug "${input.slug}" already exists.`, 'slug');
    const run = async (t: Knex.Transaction) => {
      const tenant = await Tenant.query(t).insertAndFetch({
        slug: input.slug,
        name: input.name,
        edition,
        seats: input.seats ?? 5,
        addons: [...new Set(input.addons ?? [])],
        visitor_secret: crypto.randomBytes(32).toString('base64url'),
      });
      for (const role of SYSTEM_ROLES) {
        await Role.query(t).insert({ tenant_id: tenant.id, key: role.key, name: role.name, system: true, grants: [] });
      }
      return tenant;
    };
    return 'isTransaction' in trx && trx.isTransaction ? run(trx as Knex.Transaction) : this.knex.transaction(run);
  }

  async list(): Promise<Tenant[]> {
    return Tenant.query(this.knex).orderBy('created_at');
  }

  async get(id: string): Promise<Tenant> {
    const hit = this.cache.get(id);
    if (hit && Date.now() - hit.at < 5000) return hit.tenant;
    const tenant = isUuid(id) ? await Tenant.query(this.knex).findById(id) : undefined;
    if (!tenant) throw errors.notFound('TENANT_NOT_FOUND', 'No such tenant.');
    this.cache.set(id, { tenant, at: Date.now() });
    return tenant;
  }

  async bySlug(slug: string): Promise<Tenant> {
    const tenant = await Tenant.query(this.knex).findOne({ slug });
    if (!tenant) throw errors.notFound('TENANT_NOT_FOUND', `No tenant "${slug}".`);
    return tenant;
  }

  /** Accepts a tenant id or slug, as the CLI and operator API do. */
  async resolve(idOrSlug: string): Promise<Tenant> {
    if (isUuid(idOrSlug)) {
      const byId = await Tenant.query(this.knex).findById(idOrSlug);
      if (byId) return byId;
    }
    return this.bySlug(idOrSlug);
  }

  async update(id: string, patch: Partial<Pick<Tenant, 'name' | 'edition' | 'seats' | 'addons'>>): Promise<Tenant> {
    if (patch.edition !== undefined && !EDITIONS.includes(patch.edition)) {
      throw errors.badRequest('INVALID_EDITION', `Edition must be one of ${EDITIONS.join(', ')}.`, 'edition');
    }
    if (patch.seats !== undefined && (!Number.isInteger(patch.seats) || patch.seats < 1)) {
      throw errors.badRequest('INVALID_SEATS', 'Seats must be a whole number of at least 1.', 'seats');
    }
    const tenant = await Tenant.query(this.knex).patchAndFetchById(id, patch);
    if (!tenant) throw errors.notFound('TENANT_NOT_FOUND', 'No such tenant.');
    this.cache.delete(id);
    return tenant;
  }

  async grantAddon(id: string, addon: string): Promise<Tenant> {
    const tenant = await this.get(id);
    return this.update(id, { addons: [...new Set([...tenant.addons, addon])] });
  }

  async revokeAddon(id: string, addon: string): Promise<Tenant> {
    const tenant = await this.get(id);
    return this.update(id, { addons: tenant.addons.filter((a) => a !== addon) });
  }
}
