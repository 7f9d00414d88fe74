// Sign-in, navigation and the hash router of the admin console.
import {h, clear, errorBox} from './dom.js';
import {call, get, session, whenUnauthorized, ApiError} from './api.js';
import {PAGES, DETAIL, setPrincipal, setRouter, can} from './pages.js';
import {destroyCharts} from './charts.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const navList = document.getElementById('nav-list');
const who = document.getElementById('who');
const signoutButton = document.getElementById('signout');
let principal = null;
let visible = [];

function signInPage(message) {
  nav.hidden = true;
  signoutButton.hidden = true;
  clear(who);
  clear(main);
  document.title = 'Sign in · Gatehouse console';
  const status = h('div', {'aria-live': 'assertive', id: 'signin-status'});
  if (message) status.append(h('p', {class: 'error', role: 'alert'}, message));
  const account = h('form', {class: 'card stack', id: 'account-form', 'aria-labelledby': 'account-h'},
    h('h2', {id: 'account-h'}, 'Local account'),
    h('label', {for: 'account-name'}, 'Name'), h('input', {id: 'account-name', name: 'name', autocomplete: 'username', required: true}),
    h('label', {for: 'account-password'}, 'Password'),
    h('input', {id: 'account-password', name: 'password', type: 'password', autocomplete: 'current-password', required: true}),
    h('p', {}, h('button', {type: 'submit', class: 'primary', id: 'account-submit'}, 'Sign in')));
  const token = h('form', {class: 'card stack', id: 'token-form', 'aria-labelledby': 'token-h'},
    h('h2', {id: 'token-h'}, 'Token'),
    h('p', {class: 'muted'}, 'An admin token, a personal access token or an OIDC access token accepted by the management API.'),
    h('label', {for: 'token-value'}, 'Bearer token'),
    h('input', {id: 'token-value', name: 'token', type: 'password', autocomplete: 'off', required: true}),
    h('p', {}, h('button', {type: 'submit', class: 'primary', id: 'token-submit'}, 'Sign in with token')));
  account.addEventListener('submit', async e => {
    e.preventDefault();
    clear(status);
    try {
      const r = await call('POST', '/login', {json: {name: account.elements.name.value, password: account.elements.password.value}});
      await start(r.data.token);
    } catch (err) { status.append(errorBox(err)); }
  });
  token.addEventListener('submit', async e => {
    e.preventDefault();
    clear(status);
    try { await start(token.elements.token.value.trim()); } catch (err) { status.append(errorBox(err)); }
  });
  main.append(h('div', {class: 'signin'}, h('h1', {}, 'Sign in'), status, account, token));
}

async function start(token) {
  const me = (await call('GET', '/whoami', {token})).data;
  session.set(token);
  principal = me;
  setPrincipal(me);
  visible = [];
  for (const p of PAGES) {
    if (!can(p.perm)) continue;
    if (p.probe) {
      try { await get(p.probe); } catch (e) { continue; } // a page whose API this server does not answer
    }
    visible.push(p);
  }
  clear(navList).append(...visible.map(p => h('li', {}, h('a', {href: '#/' + p.path, 'data-page': p.path}, p.label))));
  clear(who).append('Signed in as ' + me.name + ' (' + (me.roles || []).join(', ') + ')');
  who.setAttribute('id', 'who');
  nav.hidden = false;
  signoutButton.hidden = false;
  if (!location.hash.startsWith('#/') || location.hash === '#/signin') location.hash = '#/' + (visible[0] ? visible[0].path : '');
  else route();
}

async function signOut() {
  session.clear();
  principal = null;
  location.hash = '#/signin';
  signInPage();
}

let generation = 0;

// Renders the page the hash names into a fresh container, shown only if no newer navigation began meanwhile.
async function route() {
  if (!principal) return;
  const mine = ++generation;
  destroyCharts();
  const hash = location.hash.replace(/^#\//, '');
  const [pathPart, queryPart] = hash.split('?');
  const parts = pathPart.split('/').map(decodeURIComponent);
  const query = new URLSearchParams(queryPart || '');
  const page = visible.find(p => p.path === parts[0]);
  for (const a of navList.querySelectorAll('a')) {
    if (a.dataset.page === parts[0]) a.setAttribute('aria-current', 'page'); else a.removeAttribute('aria-current');
  }
  main.removeAttribute('data-ready');
  const box = h('div', {class: 'page'});
  clear(main).append(box);
  if (!page) {
    box.append(h('h1', {}, 'Not found'), h('p', {}, 'No such page, or your roles do not allow it.'));
    return;
  }
  try {
    if (parts.length > 1 && DETAIL[parts[0]]) await DETAIL[parts[0]](box, parts.slice(1), query);
    else await page.render(box, parts.slice(1), query);
  } catch (e) {
    box.append(e instanceof ApiError && e.status === 403 ? h('p', {class: 'error'}, e.message) : errorBox(e));
  }
  if (mine === generation) main.setAttribute('data-ready', parts[0]);
  else box.remove();
}

setRouter(route);
whenUnauthorized(() => { session.clear(); principal = null; signInPage('Your session has ended; sign in again.'); });
signoutButton.addEventListener('click', signOut);
window.addEventListener('hashchange', () => { main.removeAttribute('data-ready'); route(); });

if (session.token()) {
  start(session.token()).catch(() => { session.clear(); signInPage(); });
} else {
  signInPage();
}
