/** Objection models of the kernel's tables. Every tenant table carries `tenant_id`. */
import { Model } from 'objection';

export class Tenant extends Model {
  static tableName = 'tenants';
  static jsonAttributes = ['addons'];
  id!: string;
  slug!: string;
  name!: string;
  edition!: 'standard' | 'flagship';
  addons!: string[];
  seats!: number;
  visitor_secret!: string;
  created_at!: Date;
}

export class Role extends Model {
  static tableName = 'roles';
  static jsonAttributes = ['grants'];
  id!: string;
  tenant_id!: string;
  key!: string;
  name!: string;
  system!: boolean;
  grants!: string[];
  created_at!: Date;
}

export class Member extends Model {
  static tableName = 'members';
  id!: string;
  tenant_id!: string;
  email!: string;
  name!: string;
  password_hash!: string;
  role_key!: string;
  disabled!: boolean;
  created_at!: Date;
}

export class MemberSession extends Model {
  static tableName = 'member_sessions';
  id!: string;
  tenant_id!: string;
  member_id!: string;
  token_hash!: string;
  remember!: boolean;
  expires_at!: Date;
  created_at!: Date;
}

export class LoginEvent extends Model {
  static tableName = 'login_events';
  id!: number;
  tenant_id!: string;
  member_id!: string;
  kind!: 'manual' | 'remembered';
  ip!: string | null;
  created_at!: Date;
}

export class ApiKey extends Model {
  static tableName = 'api_keys';
  id!: string;
  tenant_id!: string;
  name!: string;
  prefix!: string;
  key_hash!: string;
  role_key!: string;
  created_by!: string | null;
  created_at!: Date;
  last_used_at!: Date | null;
  revoked_at!: Date | null;
}

export class Visitor extends Model {
  static tableName = 'visitors';
  static jsonAttributes = ['attributes'];
  id!: string;
  tenant_id!: string;
  external_id!: string | null;
  name!: string | null;
  email!: string | null;
  attributes!: Record<string, unknown>;
  created_at!: Date;
  last_seen_at!: Date;
}

export class TenantPlugin extends Model {
  static tableName = 'tenant_plugins';
  static idColumn = ['tenant_id', 'plugin_id'];
  static jsonAttributes = ['settings'];
  tenant_id!: string;
  plugin_id!: string;
  enabled!: boolean;
  settings!: Record<string, unknown>;
  updated_at!: Date;
}
