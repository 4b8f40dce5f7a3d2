/** On the very first start, a demo tenant with an admin so a new user can sign in at once. */
import crypto from 'node:crypto';
import type { KernelServices } from './plugin-host/context.ts';

export interface DemoLogin {
  tenant: string;
  email: string;
  password: string;
}

export async function seedDemoTenant(k: KernelServices): Promise<DemoLogin | null> {
  if ((await k.tenants.list()).length > 0) return null;
  const tenant = await k.tenants.create({ slug: 'demo', name: 'Demo Company', edition: 'flagship', seats: 20 });
  const login = { tenant: tenant.slug, email: 'admin@demo.parley', password: crypto.randomBytes(9).toString('base64url') };
  await k.members.create(tenant.id, { email: login.email, name: 'Demo Admin', password: login.password, roleKey: 'admin' });
  return login;
}
