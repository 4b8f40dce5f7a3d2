// Console UI of the customer center: the customer center page (group tabs and search), the
// customer tab of the conversation side panel, and the admins' fields-and-groups page.
// Components load lazily so their styles travel with their chunks.
export function register(api) {
  api.messages({
    en: {
      title: 'Customer center', all: 'All customers', search: 'Search by name, email, phone or company', empty: 'No customers here.',
      name: 'Name', phone: 'Phone', email: 'Email', company: 'Company', channel: 'Channel', groups: 'Groups', tags: 'Tags', created: 'Created', sessions: 'Conversations',
      noProfile: 'This visitor has no customer profile yet.', edit: 'Edit', save: 'Save', cancel: 'Cancel', readOnly: 'read-only', saved: 'Saved.',
      manage: 'Customer fields and groups', fields: 'Fields', newField: 'New field', key: 'Key', label: 'Label', type: 'Type', options: 'Options (comma-separated)',
      newGroup: 'New group', manual: 'Manual', rule: 'Auto-grouping rule', agentVisible: 'Visible to agents', vip: 'VIP (served first)', matchAll: 'Match all conditions', matchAny: 'Match any condition',
      conditions: 'Conditions (JSON)', members: '{n} customers', rulesUsed: '{n} of 10 rules used', delete: 'Delete', create: 'Create', kind: 'Kind',
    },
    'zh-CN': {
      title: '客户中心', all: '全部客户', search: '按姓名、邮箱、电话或公司搜索', empty: '这里没有客户。',
      name: '姓名', phone: '电话', email: '邮箱', company: '公司', channel: '渠道', groups: '分组', tags: '标签', created: '创建时间', sessions: '会话数',
      noProfile: '该访客还没有客户资料。', edit: '编辑', save: '保存', cancel: '取消', readOnly: '只读', saved: '已保存。',
      manage: '客户字段与分组', fields: '字段', newField: '新建字段', key: '键', label: '名称', type: '类型', options: '选项（逗号分隔）',
      newGroup: '新建分组', manual: '手动分组', rule: '自动分组规则', agentVisible: '客服可见', vip: 'VIP（优先接待）', matchAll: '满足全部条件', matchAny: '满足任一条件',
      conditions: '条件（JSON）', members: '{n} 位客户', rulesUsed: '已用 {n}/10 条规则', delete: '删除', create: '创建', kind: '类型',
    },
  });
  api.addPage({ id: 'center', mode: 'agent', icon: 'users', title: { en: 'Customers', 'zh-CN': '客户中心' }, permission: 'customers.view', load: () => import('./CustomerCenter.svelte') });
  api.addPage({ id: 'manage', mode: 'admin', icon: 'group', title: { en: 'Customer fields and groups', 'zh-CN': '客户字段与分组' }, permission: 'customers.manage', load: () => import('./CustomerAdmin.svelte') });
  api.addConversationTab({ id: 'customer', title: { en: 'Customer', 'zh-CN': '客户资料' }, permission: 'customers.view', load: () => import('./CustomerTab.svelte') });
}
