/** `parley tenant ...`: tenants, their edition, add-ons and seats (the operator's job). */
import { EDITIONS, type Edition } from '../tenants/tenant-service.ts';
import { tenantView } from '../tenants/tenant-view.ts';
import type { Tenant } from '../models/index.ts';
import { displayName, optionalPositiveInt, optionalString, positiveInt, requiredString } from './args.ts';
import type { Command } from './command.ts';
import type { CliKernel } from './kernel.ts';
import { describeSwitches } from './plugin-changes.ts';
import { safe, table, type CommandOutput } from './output.ts';

function summary(t: Tenant): string {
  const addons = t.addons.length ? `add-ons: ${t.addons.join(', ')}` : 'no add-ons';
  return `${safe(t.slug)} "${safe(t.name)}": ${t.edition} edition, ${t.seats} seat(s), ${safe(addons)} (id ${t.id})`;
}

/**
 * Changes a tenant's licence (edition, add-ons, seats) the way the operator API does, and reports
 * the plugins the change switched on or off.
 */
async function change(k: CliKernel, idOrSlug: string, verb: string, apply: (t: Tenant) => Promise<Tenant>): Promise<CommandOutput> {
  const tenant = await k.tenants.resolve(idOrSlug);
  const updated = await k.pluginState.licenceChange(tenant.id, () => apply(tenant));
  return { json: tenantView(updated), lines: [`${verb}: ${summary(updated)}`, ...describeSwitches(tenant.id, k.switched)] };
}

const create: Command = {
  group: 'tenant',
  name: 'create',
  usage: `tenant create <slug> --name N [--edition ${EDITIONS.join('|')}] [--seats n]`,
  summary: 'Create a tenant (standard edition and 5 seats unless told otherwise)',
  positionals: ['slug'],
  options: { name: { type: 'string' }, edition: { type: 'string' }, seats: { type: 'string' } },
  async run(p, k) {
    const tenant = await k.tenants.create({
      slug: p.args.slug!,
      name: displayName(requiredString(p, 'name'), '--name'),
      edition: optionalString(p, 'edition') as Edition | undefined,
      seats: optionalPositiveInt(p, 'seats'),
    });
    return { json: tenantView(tenant), lines: [`Created tenant ${summary(tenant)}`] };
  },
};

const list: Command = {
  group: 'tenant',
  name: 'list',
  usage: 'tenant list [--json]',
  summary: 'All tenants',
  positionals: [],
  options: {},
  async run(_p, k) {
    const tenants = await k.tenants.list();
    return {
      json: tenants.map(tenantView),
      lines: tenants.length
        ? table(
            ['SLUG', 'NAME', 'EDITION', 'SEATS', 'ADD-ONS', 'ID'],
            tenants.map((t) => [t.slug, t.name, t.edition, t.seats, t.addons.join(',') || '-', t.id]),
          )
        : ['No tenants yet: create one with "parley tenant create".'],
    };
  },
};

const setEdition: Command = {
  group: 'tenant',
  name: 'set-edition',
  usage: `tenant set-edition <tenant> <${EDITIONS.join('|')}>`,
  summary: 'Change a tenant\'s edition (plugins it no longer licenses turn off, their data is kept)',
  positionals: ['tenant', 'edition'],
  options: {},
  run: (p, k) => change(k, p.args.tenant!, 'Updated', (t) => k.tenants.update(t.id, { edition: p.args.edition as Edition })),
};

const setSeats: Command = {
  group: 'tenant',
  name: 'set-seats',
  usage: 'tenant set-seats <tenant> <n>',
  summary: 'Change how many active members a tenant may have',
  positionals: ['tenant', 'seats'],
  options: {},
  run: (p, k) => {
    const seats = positiveInt(p.args.seats!, 'seats');
    return change(k, p.args.tenant!, 'Updated', (t) => k.tenants.update(t.id, { seats }));
  },
};

const grantAddon: Command = {
  group: 'tenant',
  name: 'grant-addon',
  usage: 'tenant grant-addon <tenant> <plugin>',
  summary: 'Record a purchased add-on (the tenant\'s admins may then enable the plugin)',
  positionals: ['tenant', 'plugin'],
  options: {},
  run: (p, k) => {
    k.pluginState.descriptor(p.args.plugin!);
    return change(k, p.args.tenant!, 'Granted', (t) => k.tenants.grantAddon(t.id, p.args.plugin!));
  },
};

const revokeAddon: Command = {
  group: 'tenant',
  name: 'revoke-addon',
  usage: 'tenant revoke-addon <tenant> <plugin>',
  summary: 'Take an add-on back (the plugin turns off unless the edition includes it; its data is kept)',
  positionals: ['tenant', 'plugin'],
  options: {},
  async run(p, k) {
    const tenant = await k.tenants.resolve(p.args.tenant!);
    if (!tenant.addons.includes(p.args.plugin!)) {
      k.pluginState.descriptor(p.args.plugin!); // an unknown plugin is an error, as in the operator API
      return { json: tenantView(tenant), lines: [`${safe(tenant.slug)} has no add-on "${safe(p.args.plugin!)}"; nothing changed.`] };
    }
    // An add-on of a plugin since removed from this installation can still be revoked.
    return change(k, tenant.id, 'Revoked', (t) => k.tenants.revokeAddon(t.id, p.args.plugin!));
  },
};

export const tenantCommands: Command[] = [create, list, setEdition, setSeats, grantAddon, revokeAddon];
