// Writes JSON data as block YAML: plain scalars where YAML reads them back as the same string,
// JSON-quoted strings otherwise, literal blocks for multi-line text.
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./ -]*$/;
const RESERVED = /^(true|false|null|yes|no|on|off|y|n|~)$/i;

function scalar(v) {
  if (v === null) return 'null';
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  const s = String(v);
  if (PLAIN.test(s) && !RESERVED.test(s) && !s.endsWith(' ') && !s.includes(' #') && !s.includes(': ')) return s;
  return JSON.stringify(s);
}

function isBlock(v) {
  return v !== null && typeof v === 'object' && (Array.isArray(v) ? v.length > 0 : Object.keys(v).length > 0);
}

function key(k) { return PLAIN.test(k) && !RESERVED.test(k) && !k.includes(' ') ? k : JSON.stringify(k); }

function multiline(s, indent) {
  const pad = ' '.repeat(indent);
  const chomp = s.endsWith('\n') ? '' : '-';
  const body = (s.endsWith('\n') ? s.slice(0, -1) : s).split('\n').map(l => l.length ? pad + l : '').join('\n');
  return '|' + chomp + '\n' + body;
}

function value(v, indent) {
  if (typeof v === 'string' && v.includes('\n') && !/^\s/.test(v)) return ' ' + multiline(v, indent + 2);
  if (!isBlock(v)) return ' ' + (v !== null && typeof v === 'object' ? (Array.isArray(v) ? '[]' : '{}') : scalar(v));
  return '\n' + dump(v, indent + 2);
}

export function dump(v, indent = 0) {
  const pad = ' '.repeat(indent);
  if (Array.isArray(v)) {
    return v.map(item => {
      if (isBlock(item) && !Array.isArray(item)) {
        const inner = dump(item, indent + 2);
        return pad + '- ' + inner.slice(indent + 2);
      }
      return pad + '-' + value(item, indent);
    }).join('\n');
  }
  if (v !== null && typeof v === 'object') {
    return Object.entries(v).map(([k, x]) => pad + key(k) + ':' + value(x, indent)).join('\n');
  }
  return pad + scalar(v);
}
