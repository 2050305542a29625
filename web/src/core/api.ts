// Calls to Sanad's JSON API. The session lives in an HttpOnly cookie; changes carry the
// session's CSRF token in a header.

import type { components, paths } from './api-types';

// The API's own types, generated from its OpenAPI description (scripts/api-types.mjs): a page
// names what it reads by route or by schema, and never declares a wire type of its own.
export type Schema<N extends keyof components['schemas']> = components['schemas'][N];
type Method = 'get' | 'post';
export type Route = keyof paths extends infer P ? (P extends `/api/v1${infer S}` ? S : never) : never;
type Op<R extends Route, M extends Method> = paths[`/api/v1${R}` & keyof paths] extends { [K in M]: infer O }
  ? O
  : never;
type Json<X> = X extends { content: { 'application/json': infer J } } ? J : never;
// What a route answers on success (its 200 or 201 JSON).
export type Answer<R extends Route, M extends Method = 'get'> =
  Op<R, M> extends { responses: infer Res }
    ? Res extends { 200: infer A }
      ? Json<A>
      : Res extends { 201: infer A }
        ? Json<A>
        : never
    : never;
// What a route takes as its JSON body.
export type Body<R extends Route> = Op<R, 'post'> extends { requestBody?: { content: { 'application/json': infer B } } }
  ? B
  : never;
type PathParams<O> = O extends { parameters: { path: infer P } } ? P : never;
type GetRoute = { [R in Route]: Op<R, 'get'> extends never ? never : R }[Route];
type PostRoute = { [R in Route]: Op<R, 'post'> extends never ? never : R }[Route];
// A route's parameters in the path ({code}, {id}…) and in the query.
type Query = Record<string, string | number | boolean | undefined>;
type Where<O> = [PathParams<O>] extends [never] ? { query?: Query } : { path: PathParams<O>; query?: Query };

// '/schools/{code}' with { code: '1234' } → '/schools/1234?…'
export function href(route: string, where: { path?: object; query?: Query } = {}): string {
  const values = (where.path ?? {}) as Record<string, string | number>;
  const filled = route.replace(/\{(\w+)\}/g, (_, name: string) => {
    if (values[name] === undefined) throw new Error(`${route}: no value for {${name}}`);
    return encodeURIComponent(String(values[name]));
  });
  return filled + qs(where.query ?? {});
}

export type Principal = Schema<'Session'>;
export type Term = Schema<'Term'>;
export type Vocabulary = Answer<'/vocabulary'>;
// A pupil's identity as the API gives it (names as entered, in both scripts).
export type PupilIdentity = Pick<
  Answer<'/pupils/{massar}'>,
  'massar' | 'last_ar' | 'first_ar' | 'last_fr' | 'first_fr' | 'sex' | 'birth_date'
>;

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
  if (!res.ok) throw refusal(res, path, data);
  return data as T;
}

// What a refused call says, in the interface's language when the server gives it (message_ar,
// message_fr); a lapsed session signs the page out.
function refusal(res: Response, path: string, data: any): ApiError {
  if (res.status === 401 && path !== '/login') window.dispatchEvent(new Event('sanad:signed-out'));
  const said = data?.['message_' + document.documentElement.lang] ?? data?.message;
  return new ApiError(res.status, data?.error ?? 'http', said ?? res.statusText);
}

// The arguments after the route: required when the route has parameters in its path.
type Args<O, Extra = object> = [PathParams<O>] extends [never] ? [(Where<O> & Extra)?] : [Where<O> & Extra];
type Plain = Parameters<typeof href>[1];

export const api = {
  // api.get('/schools/{code}', { path: { code } }) answers what the description says it answers.
  get: <R extends GetRoute>(route: R, ...where: Args<Op<R, 'get'>>) =>
    call<Answer<R>>('GET', href(route, where[0] as Plain)),
  // api.post('/users/{login}/disable', { path: { login }, body }) sends body as JSON.
  post: <R extends PostRoute>(route: R, ...where: Args<Op<R, 'post'>, { body?: Body<R> }>) => {
    const body = where[0]?.body;
    return call<Answer<R, 'post'>>(
      'POST',
      href(route, where[0] as Plain),
      body === undefined ? undefined : JSON.stringify(body),
      'application/json',
    );
  },
  upload: <R extends PostRoute>(route: R, file: Blob, ...where: Args<Op<R, 'post'>>) =>
    call<Answer<R, 'post'>>('POST', href(route, where[0] as Plain), file, 'application/octet-stream'),
};

export function qs(params: Record<string, string | number | boolean | undefined>): string {
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
    throw refusal(res, path, data);
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

