/**
 * The plugin manifest (`plugin.json`): what the host needs to know about a plugin without running
 * its code. Validated when the plugin is discovered; a bad manifest stops start-up with its reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';

const Localized = Type.Object({ en: Type.String({ minLength: 1 }), 'zh-CN': Type.String({ minLength: 1 }) });
const License = Type.Union([Type.Literal('included'), Type.Literal('addon'), Type.Literal('unavailable')]);

const PermissionDecl = Type.Cyclic(
  {
    Node: Type.Object({
      key: Type.String({ pattern: '^[a-z0-9][a-z0-9-]*$' }),
      label: Localized,
      agent: Type.Optional(Type.Boolean()),
      children: Type.Optional(Type.Array(Type.Ref('Node'))),
    }),
  },
  'Node',
);

export const ManifestSchema = Type.Object({
  id: Type.String({ pattern: '^[a-z][a-z0-9-]{1,39}$' }),
  version: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+' }),
  title: Localized,
  description: Localized,
  dependencies: Type.Optional(Type.Array(Type.String())),
  licensing: Type.Object({ standard: License, flagship: License }),
  /** A required plugin is on for every tenant and cannot be switched off. */
  required: Type.Optional(Type.Boolean()),
  /** Whether an included plugin starts enabled for a tenant (default true). Add-ons start disabled. */
  defaultEnabled: Type.Optional(Type.Boolean()),
  /** Permission nodes, each placed under `parent` (a kernel or dependency node) or at the top. */
  permissions: Type.Optional(
    Type.Array(Type.Object({ parent: Type.Optional(Type.String()), nodes: Type.Array(PermissionDecl) })),
  ),
  /** JSON Schema of the per-tenant settings object. */
  settings: Type.Optional(Type.Record(Type.String(), Type.Unknown())),
  server: Type.Optional(Type.String()),
  migrations: Type.Optional(Type.String()),
  ui: Type.Optional(Type.Object({ console: Type.Optional(Type.String()), widget: Type.Optional(Type.String()) })),
});
export type PluginManifest = Static<typeof ManifestSchema>;

export interface PluginDescriptor {
  manifest: PluginManifest;
  /** Absolute folder of the plugin. */
  dir: string;
  builtIn: boolean;
}

/** Route prefixes the kernel keeps for itself; a plugin id may not take one. */
export const RESERVED_IDS = new Set(['auth', 'members', 'roles', 'plugins', 'api-keys', 'tenant', 'visitor', 'operator', 'console', 'permissions', 'docs', 'core']);

export class ManifestError extends Error {}

export function readManifest(dir: string, builtIn: boolean): PluginDescriptor {
  const file = path.join(dir, 'plugin.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ManifestError(`cannot read ${file}: ${(err as Error).message}`);
  }
  const first = Value.Errors(ManifestSchema, raw)[0];
  if (first) throw new ManifestError(`${file}: ${first.instancePath || 'manifest'} ${first.message}`);
  const manifest = raw as PluginManifest;
  if (RESERVED_IDS.has(manifest.id)) throw new ManifestError(`${file}: plugin id "${manifest.id}" is reserved by the kernel`);
  return { manifest, dir, builtIn };
}
