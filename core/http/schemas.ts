/** Schemas shared by kernel routes. */
import { Type } from 'typebox';

export const Localized = Type.Object({ en: Type.String(), 'zh-CN': Type.String() });
export const Uuid = Type.String({ format: 'uuid' });
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) });
export const Ok = Type.Object({ ok: Type.Boolean() });

/** Free text a person typed: trimmed length limits keep names and titles sane. */
export const Name = (max = 100) => Type.String({ minLength: 1, maxLength: max });

export const MemberSchema = Type.Object({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  roleKey: Type.String(),
  disabled: Type.Boolean(),
  createdAt: Type.String(),
});

export const TenantSchema = Type.Object({
  id: Type.String(),
  slug: Type.String(),
  name: Type.String(),
  edition: Type.String(),
  addons: Type.Array(Type.String()),
  seats: Type.Integer(),
  createdAt: Type.String(),
});

export const RoleSchema = Type.Object({
  key: Type.String(),
  name: Type.String(),
  system: Type.Boolean(),
  grants: Type.Array(Type.String()),
});

export const PluginViewSchema = Type.Object({
  id: Type.String(),
  version: Type.String(),
  title: Localized,
  description: Localized,
  license: Type.String(),
  licensed: Type.Boolean(),
  required: Type.Boolean(),
  enabled: Type.Boolean(),
  dependencies: Type.Array(Type.String()),
});
