import t from 'tap';
import { DEFAULT_COLOR, fromTenantConfig, pickLocale, resolveSettings, serverFromScript } from '../../ui/widget/src/loader/settings.ts';

const context = { server: 'https://chat.example.com', languages: ['en-GB'] };

t.test('later sources win: tenant configuration, then data- attributes, then window.ParleySettings', async (t) => {
  const tenant = fromTenantConfig({ protocolVersion: 1, title: 'Acme Support', color: '#111111', position: 'left', greeting: 'Hello from the tenant', preChat: { enabled: true, requireName: true, requireEmail: false } });
  const r = resolveSettings([tenant, { tenant: 'acme', color: '#222222' }, { color: '#333333', greeting: '' }], context);
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(r.settings, {
    tenant: 'acme',
    server: 'https://chat.example.com',
    title: 'Acme Support',
    color: '#333333',
    position: 'left',
    greeting: 'Hello from the tenant',
    locale: 'en',
    preChat: { enabled: true, requireName: true, requireEmail: false },
  });
  t.same(r.warnings, []);
});

t.test('the tenant keeping the default title gets the translated one', async (t) => {
  t.equal(fromTenantConfig({ protocolVersion: 1, title: 'Chat with us' }).title, undefined);
});

t.test('a missing or malformed tenant stops the widget', async (t) => {
  for (const tenant of [undefined, '', ' ', 'Acme Shop', '../acme', 'a'.repeat(65), 42]) {
    const r = resolveSettings([{ tenant }], context);
    t.equal(r.ok, false, String(tenant));
  }
  const r = resolveSettings([{ tenant: ' ACME ' }], context);
  t.ok(r.ok && r.settings.tenant === 'acme', 'trimmed and lower-cased');
});

t.test('bad values fall back to defaults with a warning; nothing can break out of the CSS', async (t) => {
  const r = resolveSettings([{ tenant: 'acme', color: 'red;} * { display:none', position: 'top', language: 'fr', preChat: 'sometimes' }], context);
  t.ok(r.ok);
  if (!r.ok) return;
  t.equal(r.settings.color, DEFAULT_COLOR);
  t.equal(r.settings.position, 'right');
  t.equal(r.settings.locale, 'en');
  t.same(r.settings.preChat, { enabled: false, requireName: false, requireEmail: false });
  t.equal(r.warnings.length, 4);
  for (const color of ['#0f766e', '#abc', 'rebeccapurple', 'rgb(1, 2, 3)', 'hsl(200 50% 40% / .5)']) {
    const ok = resolveSettings([{ tenant: 'acme', color }], context);
    t.ok(ok.ok && ok.settings.color === color, color);
  }
  for (const color of ['url(https://evil.example/x)', 'red}body{x:y', 'expression(alert(1))', '#12345g', 'rgb(1,2,3);']) {
    const bad = resolveSettings([{ tenant: 'acme', color }], context);
    t.ok(bad.ok && bad.settings.color === DEFAULT_COLOR, color);
  }
});

t.test('pre-chat and text options', async (t) => {
  const r = (preChat: unknown) => {
    const res = resolveSettings([{ tenant: 'acme', preChat }], context);
    return res.ok ? res.settings.preChat : null;
  };
  t.same(r('optional'), { enabled: true, requireName: false, requireEmail: false });
  t.same(r('required'), { enabled: true, requireName: true, requireEmail: true });
  t.same(r({ enabled: true, requireEmail: true, extra: 'ignored' }), { enabled: true, requireName: false, requireEmail: true });
  const long = resolveSettings([{ tenant: 'acme', title: `  ${'x'.repeat(200)}  `, greeting: 7 }], context);
  t.ok(long.ok && long.settings.title!.length === 80 && long.settings.greeting === undefined);
});

t.test('language: the site decides, else the browser, else the tenant', async (t) => {
  t.equal(pickLocale(['fr-FR', 'zh-TW', 'en']), 'zh-CN');
  t.equal(pickLocale(['de'], 'zh-CN'), 'zh-CN');
  t.equal(pickLocale(undefined), 'en');
  const site = resolveSettings([{ tenant: 'acme', language: 'zh-CN' }], context);
  t.ok(site.ok && site.settings.locale === 'zh-CN');
  const browser = resolveSettings([{ tenant: 'acme' }], { ...context, languages: ['zh-CN'], tenantLanguage: 'en' });
  t.ok(browser.ok && browser.settings.locale === 'zh-CN');
  const tenant = resolveSettings([{ tenant: 'acme' }], { ...context, languages: ['ja'], tenantLanguage: 'zh-CN' });
  t.ok(tenant.ok && tenant.settings.locale === 'zh-CN');
});

t.test('the server is where widget.js came from', async (t) => {
  t.equal(serverFromScript('https://chat.example.com/widget.js'), 'https://chat.example.com');
  t.equal(serverFromScript('https://example.com/parley/widget.js?v=2'), 'https://example.com/parley');
  t.equal(serverFromScript('http://127.0.0.1:3000/widget.js'), 'http://127.0.0.1:3000');
});
