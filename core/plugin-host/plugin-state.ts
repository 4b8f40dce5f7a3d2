/**
 * Which plugins each tenant has on, and their settings. A plugin is effective for a tenant when its
 * edition includes it or the tenant bought it as an add-on, it is switched on (or required), and
 * every plugin it depends on is effective too.
 */
import type { Knex } from 'knex';
import type { ValidateFunction } from 'ajv';
import { TenantPlugin, type Tenant } from '../models/index.ts';
import type { TenantService } from '../tenants/tenant-service.ts';
import type { PluginDescriptor } from './manifest.ts';
import { errors } from '../http/errors.ts';
import type { LocalizedText } from '../i18n.ts';
import { compileSettingsSchema, errorField } from './settings-schema.ts';

export type LicenseKind = 'included' | 'addon' | 'unavailable';

export interface TenantPluginView {
  id: string;
  version: string;
  title: LocalizedText;
  description: LocalizedText;
  license: LicenseKind;
  licensed: boolean;
  required: boolean;
  enabled: boolean;
  dependencies: string[];
}

const CACHE_MS = 3000;

export class PluginStateService {
  private readonly cache = new Map<string, { set: Set<string>; at: number }>();
  private readonly loading = new Map<string, Promise<Set<string>>>();
  private readonly validators = new Map<string, ValidateFunction>();
  private readonly byId: Map<string, PluginDescriptor>;
  private readonly listeners: Array<(tenantId: string, pluginId: string, enabled: boolean) => void> = [];

  constructor(
    private readonly knex: Knex,
    private readonly tenants: TenantService,
    private readonly plugins: PluginDescriptor[],
  ) {
    this.byId = new Map(plugins.map((p) => [p.manifest.id, p]));
    for (const p of plugins) if (p.manifest.settings) this.validators.set(p.manifest.id, compileSettingsSchema(p.manifest.settings));
  }

  /** Called after a plugin is switched on or off for a tenant (kernel hooks and UI updates). */
  onChange(listener: (tenantId: string, pluginId: string, enabled: boolean) => void): void {
    this.listeners.push(listener);
  }

  descriptor(id: string): PluginDescriptor {
    const p = this.byId.get(id);
    if (!p) throw errors.notFound('PLUGIN_NOT_FOUND', `No plugin "${id}" is installed.`);
    return p;
  }

  licenseOf(tenant: Tenant, id: string): { license: LicenseKind; licensed: boolean } {
    const m = this.descriptor(id).manifest;
    const license = m.licensing[tenant.edition];
    const licensed = license === 'included' || (license === 'addon' && tenant.addons.includes(id));
    return { license, licensed };
  }

  private compute(tenant: Tenant, rows: TenantPlugin[]): Set<string> {
    const switched = new Map(rows.map((r) => [r.plugin_id, r.enabled]));
    const on = new Set<string>();
    // Plugins are kept in dependency order, so a dependency is decided before its dependents.
    for (const p of this.plugins) {
      const m = p.manifest;
      const { license, licensed } = this.licenseOf(tenant, m.id);
      if (!licensed) continue;
      const wanted = m.required || (switched.get(m.id) ?? (license === 'included' && m.defaultEnabled !== false));
      if (wanted && (m.dependencies ?? []).every((d) => on.has(d))) on.add(m.id);
    }
    return on;
  }

  /** The plugin ids effective for a tenant (cached for a few seconds, dropped on change). */
  async enabledSet(tenantId: string): Promise<Set<string>> {
    const hit = this.cache.get(tenantId);
    if (hit && Date.now() - hit.at < CACHE_MS) return hit.set;
    // Every event of a busy tenant misses at once when the entry expires: one read serves them all.
    const pending = this.loading.get(tenantId);
    if (pending) return pending;
    const load = (async () => {
      const tenant = await this.tenants.get(tenantId);
      const rows = await TenantPlugin.query(this.knex).where({ tenant_id: tenantId });
      return this.compute(tenant, rows);
    })();
    this.loading.set(tenantId, load);
    try {
      const set = await load;
      if (this.loading.get(tenantId) === load) this.cache.set(tenantId, { set, at: Date.now() });
      return set;
    } finally {
      if (this.loading.get(tenantId) === load) this.loading.delete(tenantId);
    }
  }

  /** Ids of every tenant for which `pluginId` is effective, computed in one pass over all tenants. */
  async tenantsWith(pluginId: string): Promise<string[]> {
    this.descriptor(pluginId);
    const [tenants, rows] = await Promise.all([this.tenants.list(), TenantPlugin.query(this.knex)]);
    const byTenant = new Map<string, TenantPlugin[]>();
    for (const r of rows) byTenant.set(r.tenant_id, [...(byTenant.get(r.tenant_id) ?? []), r]);
    return tenants.filter((t) => this.compute(t, byTenant.get(t.id) ?? []).has(pluginId)).map((t) => t.id);
  }

  async isEnabled(tenantId: string, pluginId: string): Promise<boolean> {
    return (await this.enabledSet(tenantId)).has(pluginId);
  }

  invalidate(tenantId?: string): void {
    // A read in flight may predate the change: it is neither cached nor shared any more.
    if (tenantId) {
      this.cache.delete(tenantId);
      this.loading.delete(tenantId);
    } else {
      this.cache.clear();
      this.loading.clear();
    }
  }

  /**
   * Runs a change to a tenant's edition or add-ons, then tells the listeners which plugins it
   * switched on or off. The tenant's switches, settings and plugin data are kept either way.
   */
  async licenceChange<T>(tenantId: string, change: () => Promise<T>): Promise<T> {
    this.invalidate(tenantId);
    const before = await this.enabledSet(tenantId);
    const result = await change();
    this.invalidate(tenantId);
    const after = await this.enabledSet(tenantId);
    for (const p of this.plugins) {
      const id = p.manifest.id;
      if (before.has(id) !== after.has(id)) this.notify(tenantId, id, after.has(id));
    }
    return result;
  }

  private notify(tenantId: string, pluginId: string, enabled: boolean): void {
    for (const l of this.listeners) l(tenantId, pluginId, enabled);
  }

  async list(tenantId: string): Promise<TenantPluginView[]> {
    this.invalidate(tenantId);
    const tenant = await this.tenants.get(tenantId);
    const enabled = await this.enabledSet(tenantId);
    return this.plugins.map(({ manifest: m }) => ({
      id: m.id,
      version: m.version,
      title: m.title,
      description: m.description,
      ...this.licenseOf(tenant, m.id),
      required: !!m.required,
      enabled: enabled.has(m.id),
      dependencies: m.dependencies ?? [],
    }));
  }

  async setEnabled(tenantId: string, pluginId: string, enabled: boolean): Promise<TenantPluginView> {
    const m = this.descriptor(pluginId).manifest;
    this.invalidate(tenantId);
    const tenant = await this.tenants.get(tenantId);
    const current = await this.enabledSet(tenantId);
    if (enabled) {
      const { license, licensed } = this.licenseOf(tenant, pluginId);
      if (!licensed) {
        throw errors.forbidden(
          'PLUGIN_NOT_LICENSED',
          license === 'addon'
            ? `"${m.title.en}" is an add-on for the ${tenant.edition} edition; purchase it to enable it.`
            : `"${m.title.en}" is not available in the ${tenant.edition} edition.`,
        );
      }
      const missing = (m.dependencies ?? []).filter((d) => !current.has(d));
      if (missing.length) {
        throw errors.conflict('PLUGIN_DEPENDENCY_DISABLED', `Enable ${missing.join(', ')} first: "${m.title.en}" depends on it.`);
      }
    } else {
      if (m.required) throw errors.conflict('PLUGIN_REQUIRED', `"${m.title.en}" is part of the base product and cannot be disabled.`);
      const dependents = this.plugins
        .filter((p) => (p.manifest.dependencies ?? []).includes(pluginId) && current.has(p.manifest.id))
        .map((p) => p.manifest.id);
      if (dependents.length) {
        throw errors.conflict('PLUGIN_IN_USE', `Disable ${dependents.join(', ')} first: it depends on "${m.title.en}".`);
      }
    }
    await this.knex('tenant_plugins')
      .insert({ tenant_id: tenantId, plugin_id: pluginId, enabled, updated_at: this.knex.fn.now() })
      .onConflict(['tenant_id', 'plugin_id'])
      .merge(['enabled', 'updated_at']);
    this.invalidate(tenantId);
    const after = await this.enabledSet(tenantId);
    if (after.has(pluginId) !== current.has(pluginId)) this.notify(tenantId, pluginId, enabled);
    return (await this.list(tenantId)).find((v) => v.id === pluginId)!;
  }

  async getSettings(tenantId: string, pluginId: string): Promise<Record<string, unknown>> {
    this.descriptor(pluginId);
    const row = await TenantPlugin.query(this.knex).findById([tenantId, pluginId]);
    const settings = { ...(row?.settings ?? {}) };
    this.validators.get(pluginId)?.(settings); // fills in schema defaults
    return settings;
  }

  async setSettings(tenantId: string, pluginId: string, settings: Record<string, unknown>): Promise<Record<string, unknown>> {
    this.descriptor(pluginId);
    const validate = this.validators.get(pluginId);
    if (!validate) throw errors.badRequest('PLUGIN_HAS_NO_SETTINGS', `Plugin "${pluginId}" has no settings.`);
    const value = structuredClone(settings);
    if (!validate(value)) {
      const e = validate.errors![0]!;
      const field = errorField(e);
      throw errors.badRequest('INVALID_SETTINGS', `${field}: ${e.message}`, field);
    }
    await this.knex('tenant_plugins')
      .insert({ tenant_id: tenantId, plugin_id: pluginId, enabled: await this.isEnabled(tenantId, pluginId), settings: JSON.stringify(value), updated_at: this.knex.fn.now() })
      .onConflict(['tenant_id', 'plugin_id'])
      .merge(['settings', 'updated_at']);
    return value;
  }
}
