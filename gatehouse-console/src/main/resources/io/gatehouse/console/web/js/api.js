// The one place that talks to the management API. The bearer token lives in sessionStorage (this tab
// only, gone when it closes); nothing else about the session is stored.
const KEY = 'gatehouse.console.token';
const BASE = '/api/v1';

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem && problem.detail ? problem.detail : 'HTTP ' + status);
    this.status = status;
    this.problem = problem || {};
  }
}

export const session = {
  token() { return sessionStorage.getItem(KEY); },
  set(token) { sessionStorage.setItem(KEY, token); },
  clear() { sessionStorage.removeItem(KEY); },
};

let onUnauthorized = () => {};
export function whenUnauthorized(fn) { onUnauthorized = fn; }

export async function call(method, path, options = {}) {
  const headers = {'Accept': options.accept || 'application/json'};
  const token = options.token || session.token();
  if (token) headers['Authorization'] = 'Bearer ' + token;
  let body;
  if (options.text !== undefined) {
    headers['Content-Type'] = options.contentType || 'application/yaml';
    body = options.text;
  } else if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const res = await fetch(BASE + path, {method, headers, body, credentials: 'omit', cache: 'no-store', redirect: 'error'});
  const type = res.headers.get('Content-Type') || '';
  const data = type.includes('json') ? await res.json().catch(() => null) : await res.text();
  if (!res.ok) {
    if (res.status === 401 && !options.token && path !== '/login') onUnauthorized();
    throw new ApiError(res.status, typeof data === 'object' ? data : {detail: String(data || res.statusText)});
  }
  return {status: res.status, data, revision: res.headers.get('Gatehouse-Revision')};
}

export const get = (path, o) => call('GET', path, o).then(r => r.data);
export const post = (path, json) => call('POST', path, json === undefined ? {} : {json}).then(r => r.data);
export const put = (path, json) => call('PUT', path, {json}).then(r => r.data);
export const del = (path) => call('DELETE', path).then(r => r.data);

export function enc(name) { return encodeURIComponent(name); }
