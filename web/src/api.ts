// Calls to Sanad's JSON API. The session lives in an HttpOnly cookie; changes carry the
// session's CSRF token in a header.

export interface Scope {
  kind: string;
  code: string;
}
export interface Principal {
  login: string;
  full_name: string;
  role: string;
  role_ar: string;
  role_fr: string;
  scope: Scope;
  csrf: string;
  actions: string[];
}

// A pupil's identity as the API gives it (names as entered, in both scripts).
export interface PupilIdentity {
  massar: string;
  last_ar: string;
  first_ar: string;
  last_fr: string;
  first_fr: string;
  sex: string;
  birth_date: string;
}

export class ApiError extends Error {
  constructor(
    public status: number,
    public code: string,
    message: string,
  ) {
    super(message);
  }
}

let csrf = '';
export function setCsrf(token: string) {
  csrf = token;
}

async function call<T>(method: string, path: string, body?: BodyInit, type?: string): Promise<T> {
  const headers: Record<string, string> = {};
  if (method !== 'GET') headers['X-CSRF-Token'] = csrf;
  if (type) headers['Content-Type'] = type;
  const res = await fetch('/api/v1' + path, { method, headers, body, credentials: 'same-origin' });
  const text = await res.text();
  let data: any = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (!res.ok) {
    if (res.status === 401 && path !== '/login') window.dispatchEvent(new Event('sanad:signed-out'));
    // The message in the interface's language when the server gives it (message_ar, message_fr).
    const said = data?.['message_' + document.documentElement.lang] ?? data?.message;
    throw new ApiError(res.status, data?.error ?? 'http', said ?? res.statusText);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string) => call<T>('GET', path),
  post: <T>(path: string, body?: unknown) =>
    call<T>('POST', path, body === undefined ? undefined : JSON.stringify(body), 'application/json'),
  upload: <T>(path: string, file: Blob) => call<T>('POST', path, file, 'application/octet-stream'),
};

export function qs(params: Record<string, string | number | undefined>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params))
    if (v !== undefined && v !== '') parts.push(encodeURIComponent(k) + '=' + encodeURIComponent(String(v)));
  return parts.length ? '?' + parts.join('&') : '';
}

// A file answered to a POST (the payment file, a what-if's changes): saved through a temporary
// link.
export async function postDownload(path: string, name: string, body?: unknown): Promise<void> {
  const headers: Record<string, string> = { 'X-CSRF-Token': csrf };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch('/api/v1' + path, {
    method: 'POST',
    headers,
    credentials: 'same-origin',
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) {
    let data: any = null;
    try {
      data = await res.json();
    } catch {
      data = null;
    }
    throw new ApiError(res.status, data?.error ?? 'http', data?.message ?? res.statusText);
  }
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

// Exports are plain links: the browser downloads them with the session cookie.
export function exportUrl(kind: string, params: Record<string, string | undefined>): string {
  return '/api/v1/exports/' + encodeURIComponent(kind) + qs(params);
}

export interface Term {
  code: string;
  ar: string;
  fr: string;
}
export type Vocabulary = Record<string, Term[]>;
