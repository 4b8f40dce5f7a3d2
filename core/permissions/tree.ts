/**
 * The role-permission tree: nodes `module > page > tab/action`, declared by the kernel and by
 * plugins. A node's full key is its ancestors' keys joined by dots, so granting a node grants every
 * key that starts with it.
 */
import type { LocalizedText } from '../i18n.ts';

export interface PermissionNodeDecl {
  /** One segment: lowercase letters, digits and dashes. */
  key: string;
  label: LocalizedText;
  /** Granted to the system `agent` role (with its descendants). The `admin` role has every node. */
  agent?: boolean;
  children?: PermissionNodeDecl[];
}

export interface PermissionNode {
  key: string;
  label: LocalizedText;
  parent: string | null;
  owner: string;
  agent: boolean;
}

export interface PermissionTreeNode {
  key: string;
  label: LocalizedText;
  owner: string;
  children: PermissionTreeNode[];
}

/** Keys that name who may call, rather than a node of the tree. */
export const PSEUDO_PERMISSIONS = ['@public', '@member', '@visitor', '@operator'] as const;
export type PseudoPermission = (typeof PSEUDO_PERMISSIONS)[number];

const SEGMENT = /^[a-z0-9][a-z0-9-]*$/;

export class PermissionRegistry {
  private readonly nodes = new Map<string, PermissionNode>();

  /** Adds nodes under `parent` (a key declared before, or null for a module). */
  declare(owner: string, decls: PermissionNodeDecl[], parent: string | null = null): void {
    if (parent !== null && !this.nodes.has(parent)) {
      throw new Error(`permission parent "${parent}" declared by ${owner} does not exist`);
    }
    for (const decl of decls) {
      if (!SEGMENT.test(decl.key)) throw new Error(`permission key "${decl.key}" of ${owner} is not a valid segment`);
      const key = parent ? `${parent}.${decl.key}` : decl.key;
      if (this.nodes.has(key)) throw new Error(`permission "${key}" is declared twice (${owner})`);
      const inherited = parent ? this.nodes.get(parent)!.agent : false;
      this.nodes.set(key, { key, label: decl.label, parent, owner, agent: inherited || !!decl.agent });
      if (decl.children) this.declare(owner, decl.children, key);
    }
  }

  has(key: string): boolean {
    return this.nodes.has(key);
  }

  get(key: string): PermissionNode | undefined {
    return this.nodes.get(key);
  }

  all(): PermissionNode[] {
    return [...this.nodes.values()];
  }

  /** Keys granted to the system agent role. */
  agentDefaults(): string[] {
    return this.all().filter((n) => n.agent).map((n) => n.key);
  }

  /** The tree for display, leaving out nodes whose owner is not in `visibleOwners`. */
  tree(visibleOwners?: Set<string>): PermissionTreeNode[] {
    const byParent = new Map<string | null, PermissionNode[]>();
    for (const n of this.nodes.values()) {
      if (visibleOwners && !visibleOwners.has(n.owner)) continue;
      const list = byParent.get(n.parent) ?? [];
      list.push(n);
      byParent.set(n.parent, list);
    }
    const build = (parent: string | null): PermissionTreeNode[] =>
      (byParent.get(parent) ?? []).map((n) => ({ key: n.key, label: n.label, owner: n.owner, children: build(n.key) }));
    return build(null);
  }
}

/** True when `grants` contains `key` or one of its ancestors. `*` grants everything. */
export function grantsCover(grants: Iterable<string>, key: string): boolean {
  for (const g of grants) {
    if (g === '*' || g === key || key.startsWith(`${g}.`)) return true;
  }
  return false;
}
