// The API editor: the API's YAML in a text area with line numbers; "Validate" asks the management
// API for a dry run of the whole configuration with this API replaced, and shows each problem at
// its line; "Apply" commits it as one revision.
import {h, clear, errorBox} from './dom.js';
import {call, ApiError} from './api.js';
import {dump} from './yaml.js';

// The body sent to PUT /config: every other part of the current configuration as one JSON line per
// top-level key (JSON is YAML), then "apis:" with the edited API first, indented as a list item.
async function compose(apiName, text) {
  const current = await call('GET', '/config');
  const config = current.data || {};
  const lines = [];
  for (const [k, v] of Object.entries(config)) {
    if (k !== 'apis') lines.push(k + ': ' + JSON.stringify(v));
  }
  lines.push('apis:');
  const offset = lines.length; // editor line n (1-based) is body line offset + n
  text.replace(/\s+$/, '').split('\n').forEach((l, i) => lines.push((i === 0 ? '- ' : '  ') + l));
  for (const a of config.apis || []) {
    if (a.name !== apiName) lines.push('- ' + JSON.stringify(a));
  }
  return {body: lines.join('\n') + '\n', offset};
}

export async function apiEditor(container, apiName, canApply) {
  const config = (await call('GET', '/config')).data || {};
  const api = (config.apis || []).find(a => a.name === apiName);
  if (!api) throw new Error('no API named ' + apiName + ' in the configuration');
  const text = dump(api) + '\n';
  const gutter = h('pre', {class: 'gutter', 'aria-hidden': 'true'});
  const area = h('textarea', {id: 'api-yaml', spellcheck: 'false', autocomplete: 'off',
    'aria-describedby': 'editor-help editor-problems'});
  area.value = text;
  const problems = h('div', {id: 'editor-problems', 'aria-live': 'polite'});
  const message = h('input', {id: 'apply-message', type: 'text', size: 40, value: 'edit API ' + apiName});
  let bad = new Set();

  function renderGutter() {
    clear(gutter);
    const n = area.value.split('\n').length;
    for (let i = 1; i <= n; i++) gutter.append(h('span', {class: bad.has(i) ? 'bad' : null}, String(i)));
    gutter.scrollTop = area.scrollTop;
  }
  area.addEventListener('input', () => { bad = new Set(); renderGutter(); });
  area.addEventListener('scroll', () => { gutter.scrollTop = area.scrollTop; });

  function goTo(line, column) {
    const rows = area.value.split('\n');
    let pos = 0;
    for (let i = 0; i < line - 1 && i < rows.length; i++) pos += rows[i].length + 1;
    const col = Math.max(0, Math.min((column || 1) - 1, (rows[line - 1] || '').length));
    area.focus();
    area.setSelectionRange(pos + col, pos + (rows[line - 1] || '').length);
    const lineHeight = parseFloat(getComputedStyle(area).lineHeight) || 19;
    area.scrollTop = Math.max(0, (line - 4) * lineHeight);
  }

  function showProblems(list, offset) {
    clear(problems);
    bad = new Set();
    const items = list.map(p => {
      let where = p.field ? p.field.replace(/^apis\[0\]\.?/, '') : '';
      if (p.line && p.line > offset) {
        const line = p.line - offset;
        const column = p.column ? Math.max(1, p.column - 2) : 1;
        bad.add(line);
        return h('li', {}, h('button', {type: 'button', class: 'problem', 'data-line': line,
          onclick: () => goTo(line, column)}, 'Line ' + line + (p.column ? ', column ' + column : '') + ': ' + p.message
          + (where ? ' (' + where + ')' : '')));
      }
      return h('li', {class: 'error problem'}, (p.field ? p.field + ': ' : '') + p.message);
    });
    problems.append(h('p', {class: 'error', role: 'alert'}, list.length + (list.length === 1 ? ' problem' : ' problems')
      + ' in this configuration; nothing was applied.'), h('ul', {class: 'problems'}, items));
    renderGutter();
  }

  function showPlan(result, applied) {
    clear(problems);
    renderGutter();
    const plan = result.plan || [];
    const head = applied
      ? (result.changed ? 'Applied as revision ' + result.revision + '.' : 'No change: the configuration is the same.')
      : 'Valid. Applying would change ' + plan.length + (plan.length === 1 ? ' value:' : ' values:');
    problems.append(h('p', {class: 'ok', role: 'status', id: applied ? 'applied' : 'validated'}, head),
      h('ul', {class: 'plan'}, plan.map(c => h('li', {}, h('code', {}, c.op + ' ' + c.path),
        c.secret ? ' (secret)' : c.after !== undefined ? ' → ' + JSON.stringify(c.after) : ''))));
  }

  async function run(dryRun) {
    clear(problems);
    const {body, offset} = await compose(apiName, area.value);
    const q = dryRun ? '?dryRun=true' : '?message=' + encodeURIComponent(message.value || ('edit API ' + apiName));
    try {
      const r = await call('PUT', '/config' + q, {text: body, contentType: 'application/yaml'});
      showPlan(r.data, !dryRun);
      return true;
    } catch (e) {
      if (e instanceof ApiError && e.status === 400) {
        const list = e.problem.problems && e.problem.problems.length ? e.problem.problems
          : [{message: e.problem.detail || e.message}];
        showProblems(list, offset);
      } else {
        problems.append(errorBox(e));
      }
      return false;
    }
  }

  const validate = h('button', {type: 'button', id: 'validate', onclick: () => run(true)}, 'Validate');
  const apply = h('button', {type: 'button', id: 'apply', class: 'primary', onclick: async () => {
    if (await run(true)) await run(false);
  }}, 'Apply');
  container.append(
    h('h2', {}, 'Configuration (YAML)'),
    h('p', {id: 'editor-help', class: 'muted'}, 'The API with its operations and policies. Validate runs every check of a real change '
      + '(model, permissions, policy compilation) without applying it; problems are listed with their line.'),
    h('div', {class: 'editor'}, gutter, h('label', {for: 'api-yaml', class: 'sr-only'}, 'YAML of API ' + apiName), area),
    canApply ? h('div', {class: 'toolbar'}, validate,
      h('label', {for: 'apply-message'}, 'Revision message'), message, apply)
      : h('p', {class: 'muted'}, 'Read only: applying needs the config:write permission.'),
    problems);
  if (!canApply) area.readOnly = true;
  renderGutter();
}
