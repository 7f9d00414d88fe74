// Builds DOM nodes from data without ever parsing markup: text always lands in text nodes.
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (v === true) el.setAttribute(k, '');
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export function clear(el) {
  while (el.firstChild) el.removeChild(el.firstChild);
  return el;
}

// A table with a caption; columns: [{title, cell: row => node|string}]
export function table(caption, columns, rows, empty) {
  if (!rows || rows.length === 0) return h('p', {class: 'muted'}, empty || 'Nothing yet.');
  return h('table', {},
    h('caption', {class: 'sr-only'}, caption),
    h('thead', {}, h('tr', {}, columns.map(c => h('th', {scope: 'col'}, c.title)))),
    h('tbody', {}, rows.map(r => h('tr', {}, columns.map(c => h('td', {}, c.cell(r)))))));
}

export function badge(text) {
  return h('span', {class: 'badge ' + String(text)}, String(text));
}

export function errorBox(e) {
  return h('p', {class: 'error', role: 'alert'}, e && e.message ? e.message : String(e));
}
