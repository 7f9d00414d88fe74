// Gatehouse developer portal: renders each page from the portal data API. Text from the API is set
// with textContent; only the server's sanitized Markdown (fields ending in Html) is set as HTML.
'use strict';
(function () {
  const API = '/portal/api/v1';
  const main = document.getElementById('main');
  let csrf = null;
  let me = null;

  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') e.textContent = v;
      else if (k === 'html') e.innerHTML = v; // sanitized server-side Markdown only
      else if (k.startsWith('on')) e.addEventListener(k.substring(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) if (c) e.append(c);
    return e;
  }

  async function call(method, path, body) {
    const headers = {};
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (csrf && method !== 'GET') headers['X-CSRF-Token'] = csrf;
    const r = await fetch(API + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin' });
    const text = await r.text();
    const json = text ? JSON.parse(text) : null;
    if (!r.ok) throw new Error((json && json.detail) || r.statusText);
    return json;
  }

  function page(title, ...children) {
    document.title = title + ' · Developer portal';
    main.replaceChildren(el('h1', { text: title }), ...children.filter(Boolean));
    main.focus();
  }

  function message(text, cls) { return el('p', { class: cls || 'notice', role: 'status', text }); }

  function form(fields, submitText, onSubmit) {
    const f = el('form', { novalidate: '' });
    const out = el('div', { 'aria-live': 'polite' });
    for (const [name, label, type, autocomplete] of fields) {
      f.append(el('label', { for: 'f-' + name, text: label }),
        el('input', { id: 'f-' + name, name, type, required: '', autocomplete }));
    }
    f.append(el('button', { class: 'primary', type: 'submit', text: submitText }), out);
    f.addEventListener('submit', async (ev) => {
      ev.preventDefault();
      const values = Object.fromEntries(new FormData(f).entries());
      try { out.replaceChildren(message(await onSubmit(values) || 'Done.')); }
      catch (e) { out.replaceChildren(message(e.message, 'error')); }
    });
    return f;
  }

  async function session() {
    try { const s = await call('GET', '/session'); csrf = s.csrfToken; me = s.developer; } catch (e) { me = null; }
    document.getElementById('nav-account').hidden = !me;
    document.getElementById('nav-signout').hidden = !me;
    document.getElementById('nav-signin').hidden = !!me;
    document.getElementById('nav-signup').hidden = !!me;
  }

  function showKeys(target, s) {
    const box = el('div', { class: 'key', role: 'alert' },
      el('p', { text: 'Copy your key now: it is shown only once.' }));
    if (s.primaryKey) box.append(el('p', {}, 'Primary key: ', el('code', { 'data-key': 'primary', text: s.primaryKey })));
    if (s.secondaryKey) box.append(el('p', {}, 'Secondary key: ', el('code', { 'data-key': 'secondary', text: s.secondaryKey })));
    target.append(box);
  }

  async function catalogue() {
    const [products, apis] = await Promise.all([call('GET', '/products'), call('GET', '/apis')]);
    const out = el('div', { 'aria-live': 'polite' });
    const list = el('section', { 'aria-label': 'Products' }, el('h2', { text: 'Products' }));
    for (const p of products.items) {
      const card = el('article', { class: 'card', 'data-product': p.name }, el('h3', { text: p.name }),
        el('div', { html: p.descriptionHtml }));
      if (p.termsHtml) card.append(el('details', {}, el('summary', { text: 'Terms of use' }), el('div', { html: p.termsHtml })));
      card.append(el('p', { text: 'APIs: ' + p.apis.join(', ') + (p.approvalRequired ? ' · subscriptions need approval' : '') }));
      if (me) {
        card.append(el('button', { class: 'primary', type: 'button', text: 'Subscribe', onclick: async () => {
          try {
            const s = await call('POST', '/subscriptions', { product: p.name });
            out.replaceChildren(message('Subscribed to ' + p.name + ' as ' + s.name + ' (' + s.state + ').'));
            showKeys(out, s);
          } catch (e) { out.replaceChildren(message(e.message, 'error')); }
        } }));
      }
      list.append(card);
    }
    const apiList = el('ul');
    for (const a of apis.items) {
      apiList.append(el('li', {}, el('a', { href: '/apis/' + encodeURIComponent(a.name), text: a.title || a.name }),
        el('span', { text: ' — ' + a.path })));
    }
    page('APIs', out, list, el('section', { 'aria-label': 'APIs' }, el('h2', { text: 'APIs' }), apiList));
  }

  function schemaText(s) { return s === undefined || s === null ? '' : JSON.stringify(s, null, 2); }

  async function reference(name) {
    const api = await call('GET', '/apis/' + encodeURIComponent(name));
    const parts = [el('div', { html: api.descriptionHtml }),
      el('p', {}, 'Base URL: ', el('code', { text: api.baseUrl || api.path })),
      el('p', { text: api.subscriptionRequired ? 'Send your key in the ' + api.keyHeader + ' header.' : 'No key needed.' })];
    const keyInput = el('input', { id: 'try-key', type: 'password', autocomplete: 'off' });
    parts.push(el('label', { for: 'try-key', text: 'Your subscription key for Try it' }), keyInput);
    api.operations.forEach((op, i) => {
      const sec = el('section', { class: 'op', 'data-operation': op.method + ' ' + op.path },
        el('h2', {}, el('span', { class: 'method', text: op.method }), el('code', { text: op.path })));
      if (op.summary) sec.append(el('p', { text: op.summary }));
      sec.append(el('div', { html: op.descriptionHtml }));
      const inputs = {};
      if (op.parameters.length) {
        const t = el('table', {}, el('tr', {}, el('th', { text: 'Parameter' }), el('th', { text: 'In' }),
          el('th', { text: 'Required' }), el('th', { text: 'Description' }), el('th', { text: 'Value' })));
        op.parameters.forEach((p, j) => {
          const id = 'p-' + i + '-' + j;
          const input = el('input', { id, 'aria-label': p.name + ' value' });
          if (p.example !== undefined) input.value = typeof p.example === 'string' ? p.example : JSON.stringify(p.example);
          inputs[p.name] = [p, input];
          t.append(el('tr', {}, el('td', {}, el('code', { text: p.name })), el('td', { text: p.in }),
            el('td', { text: p.required ? 'yes' : 'no' }), el('td', { html: p.descriptionHtml }), el('td', {}, input)));
        });
        sec.append(t);
      }
      let bodyInput = null;
      if (op.requestBody) {
        sec.append(el('h3', { text: 'Request body (' + (op.requestBody.contentType || '') + ')' }),
          el('pre', { text: schemaText(op.requestBody.schema) }));
        bodyInput = el('textarea', { id: 'b-' + i, rows: '5', cols: '60', 'aria-label': 'Request body' });
        if (op.requestBody.example !== undefined) bodyInput.value = schemaText(op.requestBody.example);
        sec.append(bodyInput);
      }
      for (const r of op.responses) {
        sec.append(el('h3', { text: 'Response ' + r.status }), el('div', { html: r.descriptionHtml }));
        if (r.schema) sec.append(el('pre', { text: schemaText(r.schema) }));
        if (r.example !== undefined) sec.append(el('p', { text: 'Example:' }), el('pre', { text: schemaText(r.example) }));
      }
      const result = el('pre', { class: 'try-result', 'aria-live': 'polite' });
      sec.append(el('button', { class: 'secondary', type: 'button', text: 'Try it', onclick: async () => {
        let path = op.path;
        const query = new URLSearchParams();
        const headers = {};
        for (const [pname, [p, input]] of Object.entries(inputs)) {
          if (!input.value) continue;
          if (p.in === 'path') path = path.replace('{' + pname + '}', encodeURIComponent(input.value));
          else if (p.in === 'query') query.append(pname, input.value);
          else if (p.in === 'header') headers[pname] = input.value;
        }
        if (api.subscriptionRequired && keyInput.value) headers[api.keyHeader] = keyInput.value;
        const init = { method: op.method, headers, credentials: 'omit', mode: 'cors' };
        if (bodyInput && bodyInput.value) { init.body = bodyInput.value; headers['Content-Type'] = op.requestBody.contentType || 'application/json'; }
        const url = (api.baseUrl || api.path) + path + (query.toString() ? '?' + query : '');
        try {
          const r = await fetch(url, init);
          const lines = [r.status + ' ' + r.statusText];
          r.headers.forEach((v, k) => lines.push(k + ': ' + v));
          result.textContent = lines.join('\n') + '\n\n' + await r.text();
          result.setAttribute('data-status', String(r.status));
        } catch (e) { result.textContent = 'The request failed: ' + e.message; result.setAttribute('data-status', 'error'); }
      } }), result);
      parts.push(sec);
    });
    if (Object.keys(api.schemas || {}).length) {
      parts.push(el('h2', { text: 'Schemas' }), el('pre', { text: schemaText(api.schemas) }));
    }
    page(api.title || api.name, ...parts);
  }

  async function account() {
    if (!me) { location.assign('/signin'); return; }
    const subs = await call('GET', '/subscriptions');
    const out = el('div', { 'aria-live': 'polite' });
    const list = el('div');
    for (const s of subs.items) {
      const card = el('article', { class: 'card', 'data-subscription': s.name }, el('h2', { text: s.name }),
        el('p', {}, 'Product: ' + (s.product || '—') + ' · state: ', el('span', { class: 'state', text: s.state })));
      if (s.state !== 'cancelled' && s.state !== 'deleted') {
        for (const which of ['primary', 'secondary']) {
          card.append(el('button', { class: 'secondary', type: 'button', text: 'Regenerate ' + which + ' key',
            onclick: async () => {
              try { const r = await call('POST', '/subscriptions/' + encodeURIComponent(s.name) + '/regenerate', { key: which });
                out.replaceChildren(message('New ' + which + ' key for ' + s.name + '.')); showKeys(out, r);
              } catch (e) { out.replaceChildren(message(e.message, 'error')); }
            } }));
        }
        card.append(el('button', { class: 'secondary', type: 'button', text: 'Cancel subscription', onclick: async () => {
          try { await call('DELETE', '/subscriptions/' + encodeURIComponent(s.name)); await account(); }
          catch (e) { out.replaceChildren(message(e.message, 'error')); }
        } }));
      }
      const usage = el('div', { class: 'usage' });
      card.append(el('button', { class: 'secondary', type: 'button', text: 'Show usage', onclick: () => showUsage(s.name, usage) }), usage);
      list.append(card);
    }
    if (!subs.items.length) list.append(el('p', {}, 'No subscriptions yet. ', el('a', { href: '/', text: 'Browse the products' }), ' to subscribe.'));
    page('My subscriptions', el('p', { text: 'Signed in as ' + me.email }), out, list);
  }

  async function showUsage(name, target) {
    try {
      const u = await call('GET', '/subscriptions/' + encodeURIComponent(name) + '/usage');
      target.replaceChildren();
      for (const [label, w] of [['Last 24 hours', u.last24h], ['Last 30 days', u.last30d]]) {
        target.append(el('h3', { text: label }), el('p', { text: w.calls + ' calls, ' + w.errors + ' errors, p95 latency '
          + w.latencyP95Ms.toFixed(1) + ' ms' }));
        const canvas = el('canvas', { class: 'chart', role: 'img', 'aria-label': label + ' calls and errors' });
        target.append(canvas);
        if (window.Chart) {
          new window.Chart(canvas, { type: 'bar', data: { labels: w.series.map(p => p.time),
            datasets: [{ label: 'calls', data: w.series.map(p => p.calls) }, { label: 'errors', data: w.series.map(p => p.errors) }] },
            options: { animation: false } });
        }
      }
    } catch (e) { target.replaceChildren(message(e.message, 'error')); }
  }

  function signin() {
    const oidcError = new URLSearchParams(location.hash.substring(1)).get('oidc-error');
    const sso = el('p', { id: 'oidc-signin', hidden: '' },
      el('a', { href: API + '/oidc/start', text: 'Sign in with your organization account' }));
    call('GET', '/oidc').then(r => { if (r && r.enabled) sso.hidden = false; }, () => {});
    page('Sign in', oidcError ? message(oidcError, 'error') : null, sso, form([['email', 'Email', 'email', 'username'], ['password', 'Password', 'password', 'current-password']],
      'Sign in', async (v) => {
        const r = await call('POST', '/signin', { email: v.email, password: v.password });
        csrf = r.csrfToken; me = r.developer; location.assign('/account');
      }), el('p', {}, el('a', { href: '/reset', text: 'Forgot your password?' })));
  }

  function signup() {
    page('Sign up', form([['name', 'Name', 'text', 'name'], ['email', 'Email', 'email', 'email'],
      ['password', 'Password (10 characters or more)', 'password', 'new-password']], 'Create account', async (v) => {
        const r = await call('POST', '/signup', { email: v.email, password: v.password, name: v.name });
        return 'Thank you: ' + r.message + '. Then sign in.';
      }));
  }

  function tokenFromHash() { return new URLSearchParams(location.hash.substring(1)).get('token'); }

  async function verify() {
    const token = tokenFromHash();
    history.replaceState(null, '', '/verify');
    try { await call('POST', '/verify', { token: token || '' }); page('Email verified', el('p', {}, 'You can now ', el('a', { href: '/signin', text: 'sign in' }), '.')); }
    catch (e) { page('Verification failed', message(e.message, 'error')); }
  }

  function reset() {
    const token = tokenFromHash();
    if (token) {
      history.replaceState(null, '', '/reset');
      page('Choose a new password', form([['password', 'New password', 'password', 'new-password']], 'Set password',
        async (v) => { await call('POST', '/password-reset/confirm', { token, password: v.password }); return 'Password changed: sign in.'; }));
    } else {
      page('Reset your password', form([['email', 'Email', 'email', 'email']], 'Send reset link',
        async (v) => (await call('POST', '/password-reset', { email: v.email })).message));
    }
  }

  async function route() {
    await session();
    const p = location.pathname;
    try {
      if (p === '/') await catalogue();
      else if (p.startsWith('/apis/')) await reference(decodeURIComponent(p.substring(6)));
      else if (p === '/signin') signin();
      else if (p === '/signup') signup();
      else if (p === '/account') await account();
      else if (p === '/verify') await verify();
      else if (p === '/reset') reset();
      else page('Not found', el('p', { text: 'No such page.' }));
    } catch (e) { page('Error', message(e.message, 'error')); }
  }

  document.getElementById('nav-signout').addEventListener('click', async () => {
    try { await call('POST', '/signout'); } catch (e) { /* already signed out */ }
    csrf = null; me = null; location.assign('/');
  });
  route();
})();
