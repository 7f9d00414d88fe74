// The console's pages. Each renders into <main> from management API answers; a write control is
// rendered only when the signed-in principal holds the permission its route requires (the API
// refuses the write anyway).
import {h, clear, table, badge, errorBox} from './dom.js';
import {get, post, put, del, call, enc, ApiError} from './api.js';
import {apiEditor} from './editor.js';
import {lineChart} from './charts.js';

let me = {permissions: []};
export function setPrincipal(p) { me = p; }
export const can = perm => me.permissions.includes(perm);

function title(main, text, ...extra) {
  main.append(h('h1', {}, text, ...extra));
  document.title = text + ' · Gatehouse console';
}

function link(href, text) { return h('a', {href: '#/' + href}, text); }

async function section(main, heading, fn) {
  const box = h('section', {'aria-label': heading});
  main.append(box);
  try {
    await fn(box);
  } catch (e) {
    box.append(h('h2', {}, heading), e instanceof ApiError && e.status === 403
      ? h('p', {class: 'muted'}, 'Not shown: ' + e.message + '.') : errorBox(e));
  }
}

function when(iso) { return iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : ''; }
function ms(v) { return v === null || v === undefined ? '–' : Number(v).toFixed(1) + ' ms'; }

// ---------------------------------------------------------------- dashboard
async function dashboard(main) {
  title(main, 'Dashboard');
  const to = new Date();
  const from = new Date(to.getTime() - 24 * 3600 * 1000);
  const range = 'from=' + from.toISOString() + '&to=' + to.toISOString();
  await section(main, 'Traffic', async box => {
    const [series, totals] = await Promise.all([
      get('/analytics?groupBy=api,hour&' + range), get('/analytics?groupBy=api&' + range)]);
    const hours = [...new Set(series.items.map(i => i.hour))].sort();
    const apis = [...new Set(series.items.map(i => i.api || '(no API)'))].sort();
    const pick = (api, f) => hours.map(hr => {
      const it = series.items.find(i => (i.api || '(no API)') === api && i.hour === hr);
      return it ? f(it) : null;
    });
    const labels = hours.map(hr => hr.slice(11, 16));
    box.append(h('h2', {}, 'Per API, last 24 hours'), table('Traffic per API', [
      {title: 'API', cell: r => r.api || '(no API)'},
      {title: 'Requests', cell: r => String(r.requests)},
      {title: 'Errors', cell: r => String(r.errors)},
      {title: 'p50', cell: r => ms(r.latencyMs && r.latencyMs.p50)},
      {title: 'p95', cell: r => ms(r.latencyMs && r.latencyMs.p95)},
      {title: 'p99', cell: r => ms(r.latencyMs && r.latencyMs.p99)},
    ], totals.items, 'No traffic in the last 24 hours.'));
    if (hours.length) {
      box.append(h('div', {class: 'cards'},
        lineChart('Requests', labels, apis.map(a => ({label: a, data: pick(a, i => i.requests)}))),
        lineChart('Errors', labels, apis.map(a => ({label: a, data: pick(a, i => i.errors)}))),
        lineChart('Latency p50 / p95 / p99', labels, apis.flatMap(a => ['p50', 'p95', 'p99'].map(p => ({
          label: a + ' ' + p, data: pick(a, i => i.latencyMs ? i.latencyMs[p] : null)}))), 'ms')));
    }
  });
  await section(main, 'Open alerts', async box => {
    const alerts = await get('/security/alerts');
    box.append(h('h2', {}, 'Open alerts'), alertTable(alerts.items.slice(0, 10)));
  });
}

function alertTable(items) {
  return table('Threat alerts', [
    {title: 'Time', cell: a => when(a.time)},
    {title: 'Severity', cell: a => badge(a.severity)},
    {title: 'Detector', cell: a => a.detector},
    {title: 'API', cell: a => a.api || ''},
    {title: 'Client', cell: a => a.identity || ''},
    {title: 'Alert', cell: a => a.title || ''},
  ], items, 'No alerts.');
}

// ---------------------------------------------------------------- APIs
const INVENTORY = {lifecycle: ['', 'design', 'development', 'testing', 'production', 'deprecated', 'retired'],
  exposure: ['', 'internal', 'partner', 'external'], classification: ['', 'public', 'internal', 'confidential', 'restricted']};

async function apis(main, params, query) {
  title(main, 'APIs');
  const form = h('form', {class: 'toolbar', role: 'search', 'aria-label': 'Filter APIs'});
  const owner = h('input', {id: 'f-owner', name: 'owner', value: query.get('owner') || ''});
  form.append(h('span', {class: 'field'}, h('label', {for: 'f-owner'}, 'Owner'), owner));
  for (const [k, values] of Object.entries(INVENTORY)) {
    const sel = h('select', {id: 'f-' + k, name: k}, values.map(v => h('option', {value: v, selected: query.get(k) === v}, v || 'any')));
    form.append(h('span', {class: 'field'}, h('label', {for: 'f-' + k}, k[0].toUpperCase() + k.slice(1)), sel));
  }
  form.append(h('button', {type: 'submit'}, 'Filter'));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const el of form.querySelectorAll('input,select')) if (el.value) q.set(el.name, el.value);
    location.hash = '#/apis' + (q.toString() ? '?' + q : '');
  });
  main.append(form);
  const q = new URLSearchParams();
  for (const k of ['owner', ...Object.keys(INVENTORY)]) if (query.get(k)) q.set(k, query.get(k));
  await section(main, 'APIs', async box => {
    const list = await get('/apis' + (q.toString() ? '?' + q : ''));
    const items = list.items || list;
    box.append(table('APIs', [
      {title: 'Name', cell: a => link('apis/' + enc(a.name), a.name)},
      {title: 'Path', cell: a => a.path || ''},
      {title: 'Backend', cell: a => a.backend || ''},
      {title: 'Lifecycle', cell: a => (a.inventory && a.inventory.lifecycle) || ''},
      {title: 'Exposure', cell: a => (a.inventory && a.inventory.exposure) || ''},
      {title: 'Owner', cell: a => (a.inventory && a.inventory.owner) || ''},
    ], items, 'No API matches.'));
  });
  if (can('apis:write')) await section(main, 'Import from OpenAPI', importForm);
}

// An API from an OpenAPI document (JSON or YAML, pasted or read from a local file): its operations
// are merged from the document by the management API, which reports any problem with its location.
async function importForm(box) {
  const backends = await get('/backends');
  const field = (id, label, input) => h('p', {class: 'field'}, h('label', {for: id}, label), input);
  const name = h('input', {id: 'import-name', name: 'name', required: true, pattern: '[A-Za-z0-9][A-Za-z0-9._-]*'});
  const path = h('input', {id: 'import-path', name: 'path', required: true, placeholder: '/orders'});
  const backend = h('select', {id: 'import-backend', name: 'backend', required: true},
    (backends.items || backends).map(b => h('option', {value: b.name}, b.name)));
  const file = h('input', {id: 'import-file', type: 'file', accept: '.json,.yaml,.yml,application/json,application/yaml'});
  const doc = h('textarea', {id: 'import-document', name: 'document', rows: 12, required: true, spellcheck: 'false'});
  const result = h('div', {id: 'import-result', 'aria-live': 'polite'});
  file.addEventListener('change', async () => {
    if (file.files.length === 1) doc.value = await file.files[0].text();
  });
  const form = h('form', {id: 'import-api', 'aria-label': 'Import an API from OpenAPI'},
    h('h2', {}, 'Import from OpenAPI'),
    field('import-name', 'Name', name), field('import-path', 'Path prefix', path),
    field('import-backend', 'Backend', backend), field('import-file', 'OpenAPI file', file),
    field('import-document', 'OpenAPI document (JSON or YAML)', doc),
    h('button', {type: 'submit', id: 'import-submit'}, 'Import'), result);
  form.addEventListener('submit', async e => {
    e.preventDefault();
    clear(result);
    try {
      await post('/apis', {name: name.value.trim(), path: path.value.trim(), backend: backend.value,
        openapi: {inline: doc.value}});
      location.hash = '#/apis/' + enc(name.value.trim());
    } catch (err) {
      result.append(errorBox(err), problemList(err));
    }
  });
  box.append(form);
}

function problemList(err) {
  const problems = err instanceof ApiError ? err.problem.problems || [] : [];
  return problems.length === 0 ? null
    : h('ul', {class: 'problems'}, problems.map(p => h('li', {}, (p.field ? p.field + ': ' : '') + p.message)));
}

async function apiDetail(main, [name]) {
  title(main, 'API ' + name);
  main.append(h('p', {}, link('apis', '← All APIs')));
  await section(main, 'Summary', async box => {
    const a = await get('/apis/' + enc(name));
    box.append(h('dl', {}, ...[['Path', a.path], ['Backend', a.backend], ['Hosts', (a.hosts || []).join(', ')],
      ['Operations', String((a.operations || []).length)], ['Subscription required', String(a.subscriptionRequired !== false)]]
      .flatMap(([k, v]) => [h('dt', {}, k), h('dd', {}, v || '–')])));
  });
  await section(main, 'Discovery', async box => {
    const d = await get('/discovery/' + enc(name));
    box.append(h('h2', {}, 'Observed endpoints'), table('Observed endpoints', [
      {title: 'Endpoint', cell: e => e.method + ' ' + e.template},
      {title: 'Sensitive in requests', cell: e => (e.sensitiveInRequests || []).join(', ')},
      {title: 'Sensitive in responses', cell: e => (e.sensitiveInResponses || []).join(', ')},
    ], d.endpoints, 'No traffic observed yet.'),
    h('p', {}, 'Shadow (undocumented) endpoints: ' + ((d.shadow || []).map(e => e.method + ' ' + e.template).join(', ') || 'none')),
    h('p', {}, 'Unused operations: ' + ((d.unused || []).join(', ') || 'none')));
  });
  await section(main, 'Editor', box => apiEditor(box, name, can('config:write')));
  if (can('apis:write')) {
    const result = h('div', {id: 'delete-result', 'aria-live': 'polite'});
    main.append(h('section', {'aria-label': 'Delete'}, h('h2', {}, 'Delete'),
      h('p', {}, 'Deleting the API removes its routes from the gateway in a new revision (revisions can roll it back).'),
      h('button', {type: 'button', id: 'delete-api', class: 'danger', onclick: async () => {
        if (!confirm('Delete the API ' + name + '?')) return;
        clear(result);
        try {
          await del('/apis/' + enc(name));
          location.hash = '#/apis';
        } catch (err) {
          result.append(errorBox(err), problemList(err));
        }
      }}, 'Delete API ' + name), result));
  }
}

// ---------------------------------------------------------------- revisions
async function revisions(main, params, query) {
  title(main, 'Revisions');
  const page = await get('/revisions?limit=50');
  const diffBox = h('section', {'aria-label': 'Diff', id: 'diff'});
  async function showDiff(from, to) {
    clear(diffBox);
    try {
      const d = await get('/revisions/' + from + '/diff/' + to);
      diffBox.append(h('h2', {}, 'Changes from revision ' + from + ' to ' + to), table('Changes', [
        {title: 'Change', cell: c => c.op},
        {title: 'Path', cell: c => h('code', {}, c.path)},
        {title: 'Before', cell: c => c.secret ? '(secret)' : c.before === undefined ? '' : JSON.stringify(c.before)},
        {title: 'After', cell: c => c.secret ? '(secret)' : c.diff ? h('pre', {}, c.diff.join('\n'))
          : c.after === undefined ? '' : JSON.stringify(c.after)},
      ], d.changes, 'No changes.'));
    } catch (e) { diffBox.append(errorBox(e)); }
  }
  const status = h('div', {'aria-live': 'polite', id: 'rollback-status'});
  main.append(h('p', {}, 'Current revision: ', h('strong', {id: 'current-revision'}, String(page.current))), status,
    table('Revisions', [
      {title: 'Revision', cell: r => String(r.id)},
      {title: 'Time', cell: r => when(r.time)},
      {title: 'Author', cell: r => r.author},
      {title: 'Source', cell: r => r.source},
      {title: 'Message', cell: r => r.message || ''},
      {title: 'Actions', cell: r => h('span', {class: 'toolbar'},
        r.id > 0 ? h('button', {type: 'button', 'data-diff': r.id, onclick: () => showDiff(r.id - 1, r.id)},
          'Diff with ' + (r.id - 1)) : null,
        can('revisions:write') && r.id !== page.current ? h('button', {type: 'button', class: 'danger', 'data-rollback': r.id,
          onclick: async () => {
            if (!confirm('Roll back to revision ' + r.id + '? This commits a new revision equal to it.')) return;
            try {
              const res = await post('/revisions/' + r.id + '/rollback');
              location.hash = '#/revisions?rolledBack=' + (res.revision || r.id) + '&t=' + Date.now();
            } catch (e) { clear(status).append(errorBox(e)); }
          }}, 'Roll back to ' + r.id) : null)},
    ], page.items), diffBox);
  if (query.get('rolledBack')) status.append(h('p', {class: 'ok', role: 'status'}, 'Rolled back: now at revision ' + page.current + '.'));
  if (page.current > 0) await showDiff(page.current - 1, page.current);
}

// ---------------------------------------------------------------- products, subscriptions, developers
async function products(main) {
  title(main, 'Products');
  const list = await get('/products');
  main.append(table('Products', [
    {title: 'Name', cell: p => p.name},
    {title: 'APIs', cell: p => (p.apis || []).join(', ')},
    {title: 'Published', cell: p => p.published === false ? 'no' : 'yes'},
    {title: 'Approval required', cell: p => p.approvalRequired ? 'yes' : 'no'},
    {title: 'Description', cell: p => p.description || ''},
  ], list.items || list));
}

async function subscriptions(main) {
  title(main, 'Subscriptions');
  const status = h('div', {'aria-live': 'polite', id: 'subscription-status'});
  main.append(status);
  const list = await get('/subscriptions');
  // portal subscriptions: which developer asked for each (when the caller may read developers)
  const developerOf = {};
  if (can('developers:read')) {
    try {
      for (const d of (await get('/developers')).items) for (const n of d.subscriptions || []) developerOf[n] = d.email;
    } catch (e) { /* no portal in this process */ }
  }
  const act = (label, fn, cls) => h('button', {type: 'button', class: cls || null, onclick: async () => {
    clear(status);
    try { await fn(); } catch (e) { status.append(errorBox(e)); }
  }}, label);
  const setState = (s, state) => async () => {
    const body = Object.fromEntries(Object.entries(s).filter(([, v]) => v !== null && v !== undefined));
    body.state = state;
    await put('/subscriptions/' + enc(s.name), body);
    route();
  };
  const regen = (s, which) => async () => {
    if (!confirm('Replace the ' + which + ' key of ' + s.name + '? The old key stops working.')) return;
    const r = await post('/subscriptions/' + enc(s.name) + '/regenerate-' + which + '-key');
    const key = r.primaryKey || r.secondaryKey;
    status.append(h('p', {class: 'ok', role: 'status'}, 'New ' + which + ' key of ' + s.name + ' (shown once): ',
      h('span', {class: 'secret', id: 'new-key'}, key)));
  };
  const write = can('subscriptions:write');
  main.append(table('Subscriptions', [
    {title: 'Name', cell: s => s.name},
    {title: 'Scope', cell: s => s.scope},
    {title: 'State', cell: s => badge(s.state)},
    {title: 'Owner', cell: s => s.owner || ''},
    {title: 'Developer', cell: s => developerOf[s.name] || ''},
    {title: 'Expires', cell: s => s.expiresAt ? when(s.expiresAt) : ''},
    {title: 'Actions', cell: s => write ? h('span', {class: 'toolbar'},
      s.state === 'pending' ? act('Approve', async () => { await post('/subscriptions/' + enc(s.name) + '/approve'); route(); }, 'primary') : null,
      s.state === 'active' ? act('Suspend', setState(s, 'suspended'), 'danger') : null,
      s.state === 'suspended' ? act('Activate', setState(s, 'active')) : null,
      act('Regenerate primary', regen(s, 'primary')), act('Regenerate secondary', regen(s, 'secondary'))) : ''},
  ], list.items || list));
}

async function developers(main) {
  title(main, 'Developers');
  const status = h('div', {'aria-live': 'polite', id: 'developer-status'});
  main.append(h('p', {class: 'muted'}, 'Portal accounts. Blocking one also suspends its active and pending subscriptions.'),
    status);
  const list = await get('/developers');
  const write = can('developers:write');
  const act = (label, path, cls) => h('button', {type: 'button', class: cls || null, onclick: async () => {
    clear(status);
    try { await post(path); route(); } catch (e) { status.append(errorBox(e)); }
  }}, label);
  main.append(table('Developers', [
    {title: 'Email', cell: d => d.email},
    {title: 'Name', cell: d => d.name || ''},
    {title: 'Status', cell: d => badge(d.status)},
    {title: 'Email verified', cell: d => d.emailVerified ? 'yes' : 'no'},
    {title: 'Subscriptions', cell: d => (d.subscriptions || []).join(', ')},
    {title: 'Actions', cell: d => write ? h('span', {class: 'toolbar'},
      d.status !== 'active' ? act('Approve', '/developers/' + enc(d.id) + '/approve', 'primary') : null,
      d.status !== 'blocked' ? act('Block', '/developers/' + enc(d.id) + '/block', 'danger') : null) : ''},
  ], list.items, 'No developer has signed up.'));
}

// ---------------------------------------------------------------- backends, named values, certificates
async function backends(main) {
  title(main, 'Backends');
  const box = h('div', {'aria-live': 'off'});
  main.append(h('p', {class: 'muted'}, 'Runtime state refreshes every 5 seconds.'), box);
  const defs = await get('/backends');
  async function refresh() {
    let state = {items: []};
    try { state = await get('/backend-status'); } catch (e) { /* not served in this process */ }
    const byName = Object.fromEntries(state.items.map(s => [s.name, s]));
    clear(box).append(table('Backends', [
      {title: 'Name', cell: b => b.name},
      {title: 'URL', cell: b => b.url || (b.pool || []).map(m => m.url).join(', ')},
      {title: 'Breaker', cell: b => byName[b.name] ? badge(byName[b.name].breaker) : '–'},
      {title: 'Failure rate', cell: b => byName[b.name] && byName[b.name].failureRate !== null ? byName[b.name].failureRate + ' %' : '–'},
      {title: 'Members', cell: b => byName[b.name] ? h('ul', {}, byName[b.name].members.map(m => h('li', {},
        m.url + ' ', badge(m.ejected ? 'ejected' : m.healthy ? 'healthy' : 'unhealthy')))) : '–'},
    ], defs.items || defs));
  }
  await refresh();
  const timer = setInterval(() => { if (!document.body.contains(box)) clearInterval(timer); else refresh(); }, 5000);
}

async function namedValues(main) {
  title(main, 'Named values');
  const list = await get('/named-values');
  const reveal = can('secrets:reveal');
  main.append(h('p', {class: 'muted'}, 'Secret values are never shown' + (reveal
    ? '; revealing one is audited.' : '; revealing one needs the secrets:reveal permission.')), table('Named values', [
    {title: 'Name', cell: v => v.name},
    {title: 'Type', cell: v => v.type || (v.secret ? 'secret' : 'plain')},
    {title: 'Value', cell: v => {
      if (!v.secret) return v.value === undefined ? (v.reference || '') : String(v.value);
      if (!reveal) return '(secret)';
      const out = h('span', {}, '(secret) ');
      out.append(h('button', {type: 'button', onclick: async e => {
        const button = e.target;
        try {
          const r = await post('/named-values/' + enc(v.name) + '/reveal');
          button.replaceWith(h('span', {class: 'secret'}, String(r.value)));
        } catch (err) { button.after(errorBox(err)); }
      }}, 'Reveal'));
      return out;
    }},
    {title: 'Tags', cell: v => (v.tags || []).join(', ')},
  ], list.items || list));
}

async function certificates(main) {
  title(main, 'Certificates');
  const list = await get('/certificates');
  main.append(table('Certificates', [
    {title: 'Name', cell: c => c.name},
    {title: 'Usage', cell: c => c.usage},
    {title: 'Subject', cell: c => c.subject},
    {title: 'Expires', cell: c => when(c.notAfter)},
    {title: 'Days left', cell: c => c.expired ? badge('expired') : c.expiringSoon ? h('span', {}, String(c.expiresInDays) + ' ', badge('expiring'))
      : String(c.expiresInDays)},
  ], list.items, 'No certificate uploaded.'));
}

// ---------------------------------------------------------------- security, audit, users
async function security(main) {
  title(main, 'Security');
  await section(main, 'Posture', async box => {
    const r = await get('/security/recommendations');
    box.append(h('h2', {}, 'Posture score: ', h('strong', {id: 'score'}, String(r.score)), ' / 100'), table('Findings', [
      {title: 'Severity', cell: f => badge(String(f.severity).toLowerCase())},
      {title: 'Resource', cell: f => f.resource},
      {title: 'Finding', cell: f => h('span', {}, h('strong', {}, f.title), h('br'), f.explanation || '')},
      {title: 'Remediation', cell: f => f.remediation || ''},
      {title: 'OWASP', cell: f => f.owasp || ''},
    ], r.findings, 'No findings.'));
  });
  await section(main, 'Alerts', async box => {
    const a = await get('/security/alerts');
    box.append(h('h2', {}, 'Alerts'), alertTable(a.items));
  });
  await section(main, 'Inventory', async box => {
    const d = await get('/discovery');
    box.append(h('h2', {}, 'Inventory'), table('Inventory', [
      {title: 'API', cell: a => link('apis/' + enc(a.api), a.api)},
      {title: 'Lifecycle', cell: a => (a.inventory && a.inventory.lifecycle) || ''},
      {title: 'Exposure', cell: a => (a.inventory && a.inventory.exposure) || ''},
      {title: 'Observed endpoints', cell: a => String(a.observedEndpoints)},
      {title: 'Sensitive data', cell: a => [...new Set([...(a.sensitiveInRequests || []), ...(a.sensitiveInResponses || [])])].join(', ')},
    ], d.apis), h('p', {class: 'muted'}, 'Shadow and unused endpoints per API are on each API\'s page.'));
  });
}

async function audit(main, params, query) {
  title(main, 'Audit log');
  const filters = ['actor', 'action', 'entity'];
  const form = h('form', {class: 'toolbar', role: 'search', 'aria-label': 'Filter audit records'});
  for (const f of filters) {
    form.append(h('span', {class: 'field'}, h('label', {for: 'a-' + f}, f === 'entity' ? 'Entity prefix' : f[0].toUpperCase() + f.slice(1)),
      h('input', {id: 'a-' + f, name: f, value: query.get(f) || ''})));
  }
  form.append(h('button', {type: 'submit'}, 'Filter'));
  form.addEventListener('submit', e => {
    e.preventDefault();
    const q = new URLSearchParams();
    for (const el of form.querySelectorAll('input')) if (el.value) q.set(el.name, el.value);
    location.hash = '#/audit' + (q.toString() ? '?' + q : '');
  });
  main.append(form);
  const filter = filters.filter(f => query.get(f)).map(f => '&' + f + '=' + encodeURIComponent(query.get(f))).join('');
  await section(main, 'Chain', async box => {
    const r = await get('/security/recommendations');
    const broken = (r.findings || []).find(f => f.rule === 'audit.chain-broken');
    box.append(h('p', {id: 'chain'}, 'Tamper-evident chain: ', broken ? badge('broken') : badge('intact'),
      broken ? ' ' + broken.explanation : ' (verified by the posture check, at most 5 minutes old)'));
  });
  // the API lists oldest first without a total: page through and keep the newest 500
  let newest = [];
  for (let offset = 0, pages = 0; pages < 40; pages++, offset += 500) {
    const page = await get('/audit?limit=500&offset=' + offset + filter);
    newest = newest.concat(page.items || []).slice(-500);
    if (!page.items || page.items.length < 500) break;
  }
  const items = newest.reverse();
  main.append(h('h2', {}, 'Newest records'), table('Audit records', [
    {title: 'Time', cell: a => when(a.time)},
    {title: 'Actor', cell: a => a.actor},
    {title: 'Action', cell: a => a.action},
    {title: 'Entity', cell: a => a.entity || ''},
    {title: 'Result', cell: a => a.result || ''},
    {title: 'From', cell: a => a.sourceIp || ''},
  ], items, 'No audit records.'));
}

async function users(main) {
  title(main, 'Users and roles');
  await section(main, 'Accounts', async box => {
    const a = await get('/accounts');
    box.append(h('h2', {}, 'Local accounts'), table('Local accounts', [
      {title: 'Name', cell: x => x.name}, {title: 'Roles', cell: x => (x.roles || []).join(', ')},
    ], a.items || a));
  });
  await section(main, 'Roles', async box => {
    const r = await get('/roles');
    box.append(h('h2', {}, 'Roles'), table('Roles', [
      {title: 'Role', cell: x => x.name}, {title: 'Built in', cell: x => x.builtIn ? 'yes' : 'no'},
      {title: 'Permissions', cell: x => [...x.permissions].sort().join(', ')},
    ], r.items || r));
  });
  await section(main, 'Tokens', async box => {
    const t = await get('/tokens');
    box.append(h('h2', {}, 'Tokens'), table('Tokens', [
      {title: 'Name', cell: x => x.name}, {title: 'Owner', cell: x => x.owner || ''},
      {title: 'Roles', cell: x => (x.roles || []).join(', ')}, {title: 'Expires', cell: x => when(x.expiresAt)},
    ], t.items || t));
  });
  await section(main, 'Gateway users', async box => {
    const u = await get('/users');
    box.append(h('h2', {}, 'Gateway users'), table('Gateway users', [
      {title: 'Name', cell: x => x.name}, {title: 'Email', cell: x => x.email || ''}, {title: 'Groups', cell: x => (x.groups || []).join(', ')},
    ], u.items || u));
  });
}

// ---------------------------------------------------------------- routing
export const PAGES = [
  {path: 'dashboard', label: 'Dashboard', perm: 'analytics:read', render: dashboard},
  {path: 'apis', label: 'APIs', perm: 'apis:read', render: apis},
  {path: 'revisions', label: 'Revisions', perm: 'revisions:read', render: revisions},
  {path: 'products', label: 'Products', perm: 'products:read', render: products},
  {path: 'subscriptions', label: 'Subscriptions', perm: 'subscriptions:read', render: subscriptions},
  {path: 'developers', label: 'Developers', perm: 'developers:read', render: developers, probe: '/developers'},
  {path: 'backends', label: 'Backends', perm: 'backends:read', render: backends},
  {path: 'named-values', label: 'Named values', perm: 'named-values:read', render: namedValues},
  {path: 'certificates', label: 'Certificates', perm: 'certificates:read', render: certificates},
  {path: 'security', label: 'Security', perm: 'config:read', render: security},
  {path: 'audit', label: 'Audit log', perm: 'audit:read', render: audit},
  {path: 'users', label: 'Users and roles', perm: 'accounts:read', render: users},
];
export const DETAIL = {apis: apiDetail};

export let route = () => {};
export function setRouter(fn) { route = fn; }
