/**
 * The plugin manifest (`plugin.json`): what the host needs to know about a plugin without running
 * its code. Validated when the plugin is discovered; a bad manifest stops start-up with its reason.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { compileSettingsSchema } from './settings-schema.ts';

const Localized = Type.Object({ en: Type.String({ minLength: 1 }), 'zh-CN': Type.String({ minLength: 1 }) });
const License = Type.Enum(['included', 'addon', 'unavailable']);

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

const PluginId = Type.String({ minLength: 2, maxLength: 40, pattern: '^[a-z][a-z0-9]*(-[a-z0-9]+)*$' });

export const ManifestSchema = Type.Object(
  {
    $schema: Type.Optional(Type.String()),
    /** Lowercase words joined by dashes; also the route prefix `/api/<id>` and, in snake case, the table prefix. */
    id: PluginId,
    version: Type.String({ pattern: '^\\d+\\.\\d+\\.\\d+(-[0-9A-Za-z.-]+)?$' }),
    title: Localized,
    description: Localized,
    dependencies: Type.Optional(Type.Array(PluginId, { uniqueItems: true })),
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
    /** Server entry, relative to the plugin folder (default `server.ts`). */
    server: Type.Optional(Type.String({ minLength: 1 })),
    /** Migrations folder, relative to the plugin folder (default `migrations`). */
    migrations: Type.Optional(Type.String({ minLength: 1 })),
    ui: Type.Optional(Type.Object({ console: Type.Optional(Type.String()), widget: Type.Optional(Type.String()) })),
  },
  { additionalProperties: false },
);
export type PluginManifest = Static<typeof ManifestSchema>;

export interface PluginDescriptor {
  manifest: PluginManifest;
  /** Absolute folder of the plugin. */
  dir: string;
  builtIn: boolean;
}

/**
 * Ids the kernel keeps: its own route prefixes under `/api/`, and words whose table prefix would
 * look like a kernel table (`member_sessions`, `schema_migrations`, ...).
 */
export const RESERVED_IDS = new Set([
  'auth', 'members', 'roles', 'plugins', 'api-keys', 'tenant', 'visitor', 'operator', 'console', 'permissions', 'docs', 'core',
  'kernel', 'api', 'ui', 'healthz', 'openapi', 'member', 'login', 'domain', 'schema', 'tenants', 'visitors',
]);

export class ManifestError extends Error {
  override name = 'ManifestError';
}

function insideFolder(dir: string, relative: string): boolean {
  const resolved = path.resolve(dir, relative);
  return resolved === dir || resolved.startsWith(dir + path.sep);
}

/** The plugin's migrations folder. */
export function migrationsDir(p: PluginDescriptor): string {
  return path.join(p.dir, p.manifest.migrations ?? 'migrations');
}

export function readManifest(dir: string, builtIn: boolean): PluginDescriptor {
  const file = path.join(dir, 'plugin.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    throw new ManifestError(`cannot read ${file}: ${(err as Error).message}`);
  }
  // Check is the fast path; Errors, which lists every problem, runs only for a bad manifest.
  const first = Value.Check(ManifestSchema, raw) ? undefined : Value.Errors(ManifestSchema, raw)[0];
  if (first) {
    const unknownField = first.schemaPath.endsWith('/additionalProperties');
    const allowed = (first.params as { allowedValues?: unknown[] }).allowedValues;
    const detail = unknownField ? 'is not a manifest field' : allowed ? `${first.message} (${allowed.join(', ')})` : first.message;
    throw new ManifestError(`${file}: ${first.instancePath || 'manifest'} ${detail}`);
  }
  const manifest = raw as PluginManifest;
  if (RESERVED_IDS.has(manifest.id)) throw new ManifestError(`${file}: plugin id "${manifest.id}" is reserved by the kernel`);
  if (manifest.dependencies?.includes(manifest.id)) throw new ManifestError(`${file}: plugin "${manifest.id}" depends on itself`);
  for (const field of ['server', 'migrations'] as const) {
    const value = manifest[field];
    if (value !== undefined && !insideFolder(dir, value)) throw new ManifestError(`${file}: /${field} must stay inside the plugin folder`);
  }
  if (manifest.settings) {
    try {
      compileSettingsSchema(manifest.settings);
    } catch (err) {
      throw new ManifestError(`${file}: /settings is not a usable JSON Schema: ${(err as Error).message}`);
    }
  }
  return { manifest, dir, builtIn };
}
