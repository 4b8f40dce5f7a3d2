/**
 * The permission model as the kernel defines it: a grant covers its node and every node below it
 * (`*` covers all). Also the editing rules of the role tree: checking a node grants its subtree,
 * unchecking a node inside a granted subtree re-grants its siblings so nothing else changes.
 */
export interface PermissionTreeNode {
  key: string;
  label: { en: string; 'zh-CN': string };
  owner: string;
  children: PermissionTreeNode[];
}

export function grantsCover(grants: Iterable<string>, key: string): boolean {
  for (const g of grants) if (g === '*' || g === key || key.startsWith(`${g}.`)) return true;
  return false;
}

/** True when some grant is `key` or below it (the node shows as partly checked). */
export function grantsTouch(grants: Iterable<string>, key: string): boolean {
  for (const g of grants) if (g === '*' || g === key || g.startsWith(`${key}.`) || key.startsWith(`${g}.`)) return true;
  return false;
}

export function findPath(tree: PermissionTreeNode[], key: string): PermissionTreeNode[] | null {
  for (const node of tree) {
    if (node.key === key) return [node];
    const below = findPath(node.children, key);
    if (below) return [node, ...below];
  }
  return null;
}

const isAtOrBelow = (g: string, key: string) => g === key || g.startsWith(`${key}.`);

/** The grants after checking `key`: the node is granted, redundant grants below it dropped. */
export function checkNode(grants: string[], key: string): string[] {
  if (grantsCover(grants, key)) return grants;
  return [...grants.filter((g) => !isAtOrBelow(g, key)), key].sort();
}

/** The grants after unchecking `key` and its subtree, keeping everything else as it was. */
export function uncheckNode(tree: PermissionTreeNode[], grants: string[], key: string): string[] {
  const path = findPath(tree, key);
  if (!path) return grants.filter((g) => !isAtOrBelow(g, key));
  let next = grants.filter((g) => !isAtOrBelow(g, key));
  // If an ancestor grants this node, replace that grant by grants on the branches beside the path.
  const i = path.findIndex((n) => next.includes(n.key));
  if (i >= 0) {
    next = next.filter((g) => g !== path[i]!.key);
    for (let depth = i; depth < path.length - 1; depth++) {
      for (const sibling of path[depth]!.children) if (sibling.key !== path[depth + 1]!.key) next.push(sibling.key);
    }
  }
  return [...new Set(next)].sort();
}

export function flatten(tree: PermissionTreeNode[]): PermissionTreeNode[] {
  return tree.flatMap((n) => [n, ...flatten(n.children)]);
}
