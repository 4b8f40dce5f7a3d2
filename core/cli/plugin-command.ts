/** `parley plugin list|enable|disable`: a tenant's plugins, with the same licence rules as the console. */
import type { Command } from './command.ts';
import { safe, table, yesNo } from './output.ts';

const list: Command = {
  group: 'plugin',
  name: 'list',
  usage: 'plugin list <tenant> [--json]',
  summary: 'Installed plugins with the tenant\'s licence and state',
  positionals: ['tenant'],
  options: {},
  async run(p, k) {
    const tenant = await k.tenants.resolve(p.args.tenant!);
    const plugins = await k.pluginState.list(tenant.id);
    return {
      json: plugins,
      lines: plugins.length
        ? table(['ID', 'LICENSE', 'LICENSED', 'ENABLED'], plugins.map((v) => [v.id, v.license, yesNo(v.licensed), yesNo(v.enabled)]))
        : ['No plugins are installed.'],
    };
  },
};

function toggle(name: 'enable' | 'disable'): Command {
  const enabled = name === 'enable';
  return {
    group: 'plugin',
    name,
    usage: `plugin ${name} <tenant> <plugin>`,
    summary: enabled ? 'Enable a plugin for a tenant (its edition or an add-on must license it)' : 'Disable a plugin for a tenant (its data is kept)',
    positionals: ['tenant', 'plugin'],
    options: {},
    async run(p, k) {
      const tenant = await k.tenants.resolve(p.args.tenant!);
      const view = await k.pluginState.setEnabled(tenant.id, p.args.plugin!, enabled);
      return { json: view, lines: [`${view.id} is now ${view.enabled ? 'enabled' : 'disabled'} for ${safe(tenant.slug)}.`] };
    },
  };
}

export const pluginCommands: Command[] = [list, toggle('enable'), toggle('disable')];
