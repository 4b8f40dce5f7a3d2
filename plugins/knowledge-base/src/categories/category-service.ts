/** Nested categories of a tenant's knowledge base. */
import type { Knex } from 'knex';
import { errors } from '../../../../core/http/errors.ts';
import { isUuid } from '../../../../core/http/ids.ts';

export interface Category {
  id: string;
  parentId: string | null;
  name: string;
  position: number;
}

export interface CategoryNode extends Category {
  children: CategoryNode[];
}

const TABLE = 'knowledge_base_categories';
const MAX_DEPTH = 10;

const toCategory = (r: { id: string; parent_id: string | null; name: string; position: number }): Category => ({
  id: r.id, parentId: r.parent_id, name: r.name, position: r.position,
});

export class CategoryService {
  constructor(private readonly knex: Knex) {}

  async list(tenantId: string, trx: Knex | Knex.Transaction = this.knex): Promise<Category[]> {
    const rows = await trx(TABLE).where({ tenant_id: tenantId }).orderBy([{ column: 'position' }, { column: 'name' }]);
    return rows.map(toCategory);
  }

  async tree(tenantId: string): Promise<CategoryNode[]> {
    const all = await this.list(tenantId);
    const byParent = new Map<string | null, Category[]>();
    for (const c of all) byParent.set(c.parentId, [...(byParent.get(c.parentId) ?? []), c]);
    const build = (parent: string | null): CategoryNode[] => (byParent.get(parent) ?? []).map((c) => ({ ...c, children: build(c.id) }));
    return build(null);
  }

  async get(tenantId: string, id: string, trx: Knex | Knex.Transaction = this.knex): Promise<Category> {
    const row = isUuid(id) ? await trx(TABLE).where({ tenant_id: tenantId, id }).first() : undefined;
    if (!row) throw errors.notFound('CATEGORY_NOT_FOUND', 'No such category.');
    return toCategory(row);
  }

  private async depth(tenantId: string, id: string | null, trx: Knex | Knex.Transaction): Promise<number> {
    let depth = 0;
    for (let cur = id; cur; depth++) cur = (await this.get(tenantId, cur, trx)).parentId;
    return depth;
  }

  async create(tenantId: string, input: { name: string; parentId?: string | null; position?: number }, trx: Knex | Knex.Transaction = this.knex): Promise<Category> {
    const parentId = input.parentId ?? null;
    if (parentId && (await this.depth(tenantId, parentId, trx)) >= MAX_DEPTH) {
      throw errors.badRequest('CATEGORY_TOO_DEEP', `Categories nest at most ${MAX_DEPTH} levels.`, 'parentId');
    }
    const [row] = await trx(TABLE).insert({ tenant_id: tenantId, parent_id: parentId, name: input.name.trim(), position: input.position ?? 0 }).returning('*');
    return toCategory(row);
  }

  async update(tenantId: string, id: string, patch: { name?: string; parentId?: string | null; position?: number }): Promise<Category> {
    await this.get(tenantId, id);
    if (patch.parentId) {
      // Refuse moving a category under itself or one of its descendants.
      for (let cur: string | null = patch.parentId; cur; cur = (await this.get(tenantId, cur)).parentId) {
        if (cur === id) throw errors.badRequest('CATEGORY_CYCLE', 'A category cannot be moved under itself.', 'parentId');
      }
    }
    const [row] = await this.knex(TABLE)
      .where({ tenant_id: tenantId, id })
      .update({
        ...(patch.name !== undefined ? { name: patch.name.trim() } : {}),
        ...(patch.parentId !== undefined ? { parent_id: patch.parentId } : {}),
        ...(patch.position !== undefined ? { position: patch.position } : {}),
      })
      .returning('*');
    return toCategory(row);
  }

  async remove(tenantId: string, id: string): Promise<void> {
    await this.get(tenantId, id);
    await this.knex(TABLE).where({ tenant_id: tenantId, id }).delete();
  }

  /** Finds or creates the category at a path like "Billing/Refunds" (used by import). */
  async ensurePath(tenantId: string, path: string, trx: Knex | Knex.Transaction): Promise<string | null> {
    let parentId: string | null = null;
    for (const name of path.split('/').map((s) => s.trim()).filter(Boolean)) {
      const existing: { id: string } | undefined = await trx(TABLE).where({ tenant_id: tenantId, parent_id: parentId, name }).first('id');
      parentId = existing ? existing.id : (await this.create(tenantId, { name, parentId }, trx)).id;
    }
    return parentId;
  }

  /** "Parent/Child" paths of every category, for export. */
  async paths(tenantId: string): Promise<Map<string, string>> {
    const all = await this.list(tenantId);
    const byId = new Map(all.map((c) => [c.id, c]));
    const out = new Map<string, string>();
    for (const c of all) {
      const names: string[] = [];
      for (let cur: Category | undefined = c; cur; cur = cur.parentId ? byId.get(cur.parentId) : undefined) names.unshift(cur.name);
      out.set(c.id, names.join('/'));
    }
    return out;
  }
}
