/**
 * The table rule for plugin migrations: a plugin creates only tables named with its prefix, changes
 * or drops only its own tables, and its foreign keys point only at kernel tables, its own tables and
 * those of plugins it declares as dependencies. Checked on what each migration actually did to the
 * schema, so a violation stops start-up and rolls the migration back.
 */
import type { SchemaCheck } from '../db/migrator.ts';
import type { PluginManifest } from './manifest.ts';

export class TableRuleError extends Error {
  override name = 'TableRuleError';
}

/** `sample-notes` -> `sample_notes_`. */
export function tablePrefix(pluginId: string): string {
  return `${pluginId.replace(/-/g, '_')}_`;
}

const ownerName = (owner: string | undefined) =>
  owner === 'core' ? 'the kernel' : owner ? `plugin "${owner}"` : 'no known owner';

export function tableRule(manifest: Pick<PluginManifest, 'id' | 'dependencies'>): SchemaCheck {
  const id = manifest.id;
  const prefix = tablePrefix(id);
  const dependencies = new Set(manifest.dependencies ?? []);
  return (change, owners) => {
    const where = `plugin "${id}", migration ${change.migration} (${change.direction})`;
    const own = new Set([...[...owners].filter(([, ledger]) => ledger === id).map(([table]) => table), ...change.createdTables]);
    for (const table of change.createdTables) {
      if (!table.startsWith(prefix) || table.length === prefix.length) {
        throw new TableRuleError(`${where}: table "${table}" must be named with the plugin's prefix "${prefix}" (for example "${prefix}items")`);
      }
    }
    for (const table of change.droppedTables) {
      if (owners.get(table) !== id) throw new TableRuleError(`${where}: drops table "${table}", which belongs to ${ownerName(owners.get(table))}`);
    }
    for (const table of change.alteredTables) {
      if (!own.has(table)) throw new TableRuleError(`${where}: changes the columns of table "${table}", which belongs to ${ownerName(owners.get(table))}`);
    }
    for (const fk of change.addedForeignKeys) {
      if (!own.has(fk.table)) {
        throw new TableRuleError(`${where}: adds foreign key "${fk.name}" to table "${fk.table}", which belongs to ${ownerName(owners.get(fk.table))}`);
      }
      const target = own.has(fk.references) ? id : owners.get(fk.references);
      if (target === 'core' || target === id || (target && dependencies.has(target))) continue;
      throw new TableRuleError(
        `${where}: table "${fk.table}" references "${fk.references}", which belongs to ${ownerName(target)}; ` +
          'a plugin may reference only kernel tables, its own tables and those of plugins it declares as dependencies',
      );
    }
  };
}
