/** `parley member create`: a tenant's first admin, or any member, without the console. */
import crypto from 'node:crypto';
import { displayName, optionalString, requiredString } from './args.ts';
import type { Command } from './command.ts';
import { safe } from './output.ts';

const create: Command = {
  group: 'member',
  name: 'create',
  usage: 'member create <tenant> --email E --name N --role admin|agent|<role key> [--password P]',
  summary: 'Create a member; without --password one is generated and printed once',
  positionals: ['tenant'],
  options: { email: { type: 'string' }, name: { type: 'string' }, role: { type: 'string' }, password: { type: 'string' } },
  async run(p, k) {
    const email = requiredString(p, 'email');
    const name = displayName(requiredString(p, 'name'), '--name');
    const roleKey = requiredString(p, 'role');
    const given = optionalString(p, 'password');
    const password = given ?? crypto.randomBytes(12).toString('base64url');
    const tenant = await k.tenants.resolve(p.args.tenant!);
    const member = await k.members.create(tenant.id, { email, name, roleKey, password });
    const created = `Created ${safe(member.roleKey)} ${safe(member.email)} "${safe(member.name)}" in ${safe(tenant.slug)} (id ${member.id}).`;
    return given === undefined
      ? { json: { member, password }, lines: [created, `Password: ${password}`, 'Keep it now: it is not stored anywhere readable and will not be shown again.'] }
      : { json: { member }, lines: [created] };
  },
};

export const memberCommands: Command[] = [create];
