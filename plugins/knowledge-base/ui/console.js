// Console UI of the knowledge base: the agents' knowledge page, the editors' page, a side-panel
// tab that searches while the agent types, and a composer button that inserts an entry into the reply.
// Every component is loaded lazily: its styles then travel with its chunk.

export function register(api) {
  api.messages({
    en: {
      title: 'Knowledge base', manage: 'Knowledge base', categories: 'Categories', all: 'All entries', search: 'Search the knowledge base…',
      empty: 'No entries here yet.', noHits: 'Nothing matches.', back: 'Back', attachments: 'Attachments', insert: 'Insert', insertLink: 'Insert link',
      newEntry: 'New entry', newCategory: 'New category', categoryName: 'Category name', entryTitle: 'Title', content: 'Content (HTML allowed: paragraphs, lists, links, images)',
      status: 'Status', draft: 'Draft', published: 'Published', save: 'Save', cancel: 'Cancel', delete: 'Delete', edit: 'Edit', confirmDelete: 'Delete this entry?',
      import: 'Import CSV', export: 'Export CSV', imported: 'Imported {n} entries.', failedRows: 'Rows not imported', row: 'Row', uncategorised: 'Uncategorised', saved: 'Saved.',
      picker: 'Knowledge',
    },
    'zh-CN': {
      title: '知识库', manage: '知识库管理', categories: '分类', all: '全部条目', search: '搜索知识库…',
      empty: '这里还没有条目。', noHits: '没有匹配的条目。', back: '返回', attachments: '附件', insert: '插入', insertLink: '插入链接',
      newEntry: '新建条目', newCategory: '新建分类', categoryName: '分类名称', entryTitle: '标题', content: '内容（可用 HTML：段落、列表、链接、图片）',
      status: '状态', draft: '草稿', published: '已发布', save: '保存', cancel: '取消', delete: '删除', edit: '编辑', confirmDelete: '删除此条目？',
      import: '导入 CSV', export: '导出 CSV', imported: '已导入 {n} 条。', failedRows: '未导入的行', row: '行', uncategorised: '未分类', saved: '已保存。',
      picker: '知识库',
    },
  });
  api.addPage({ id: 'read', mode: 'agent', icon: 'book', title: { en: 'Knowledge base', 'zh-CN': '知识库' }, permission: 'knowledge-base.read', load: () => import('./KnowledgePage.svelte') });
  api.addPage({ id: 'manage', mode: 'admin', icon: 'book', title: { en: 'Knowledge base', 'zh-CN': '知识库管理' }, permission: 'knowledge-base.edit', load: () => import('./KnowledgeAdmin.svelte') });
  api.addConversationTab({ id: 'knowledge', title: { en: 'Knowledge', 'zh-CN': '知识库' }, order: 20, permission: 'knowledge-base.read', load: () => import('./KnowledgeTab.svelte') });
  api.addComposerButton({ id: 'knowledge', title: { en: 'Insert from the knowledge base', 'zh-CN': '从知识库插入' }, icon: 'book', permission: 'knowledge-base.read', load: () => import('./KnowledgePicker.svelte') });
}
