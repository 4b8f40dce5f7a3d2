/** Knowledge base: categories and entries that agents read and admins edit, searchable in Chinese and English. */
import { definePlugin } from '../../core/plugin-host/context.ts';
import { CategoryService } from './src/categories/category-service.ts';
import { EntryService } from './src/entries/entry-service.ts';
import { knowledgeRoutes } from './src/routes.ts';

export default definePlugin((ctx) => {
  const categories = new CategoryService(ctx.knex);
  const entries = new EntryService(ctx.knex, categories);
  ctx.routes(knowledgeRoutes(ctx, categories, entries));
  ctx.expose({ search: entries.search.bind(entries), get: entries.get.bind(entries) });
});
