/** Role names for pickers; a member who may not read roles still sees the two system roles. */
import { api } from '../api.ts';
import { session } from '../session.svelte.ts';

export interface Role {
  key: string;
  name: string;
  system: boolean;
  grants: string[];
}

export async function listRoles(): Promise<Role[]> {
  if (!session.can('settings.roles')) {
    return [
      { key: 'admin', name: 'admin', system: true, grants: ['*'] },
      { key: 'agent', name: 'agent', system: true, grants: [] },
    ];
  }
  return (await api.get<{ items: Role[] }>('/api/roles')).items;
}
