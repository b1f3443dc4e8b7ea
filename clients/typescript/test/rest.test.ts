import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RestClient, parseETag } from '../src/rest.js';
import { ApiError } from '../src/errors.js';

type Call = { url: string; method: string; headers: Record<string, string>; body?: string };

function fakeFetch(responder: (call: Call) => Response) {
  const calls: Call[] = [];
  const f = (async (url: string, init: RequestInit) => {
    const call = { url, method: init.method!, headers: init.headers as Record<string, string>, body: init.body as string | undefined };
    calls.push(call);
    return responder(call);
  }) as unknown as typeof fetch;
  return { f, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers } });

test('a 401 refreshes once and retries with the new token', async () => {
  const { f, calls } = fakeFetch((c) => {
    if (c.url.endsWith('/api/auth/refresh')) return json(200, { accessToken: 'new', refreshToken: 'r2', expiresIn: 900 });
    return c.headers.authorization === 'Bearer new' ? json(200, { id: 'u' }) : json(401, { code: 'unauthorized', detail: 'expired' });
  });
  let saved: unknown;
  const rest = new RestClient({ baseUrl: 'http://h', fetch: f, tokens: { accessToken: 'old', refreshToken: 'r1', expiresAt: Date.now() + 1e6 }, onTokens: (t) => { saved = t; } });
  assert.deepEqual(await rest.me(), { id: 'u' });
  assert.deepEqual(calls.map((c) => c.url), ['http://h/api/users/me', 'http://h/api/auth/refresh', 'http://h/api/users/me']);
  assert.equal(JSON.parse(calls[1]!.body!).refreshToken, 'r1');
  assert.equal((saved as { refreshToken: string }).refreshToken, 'r2');
});

test('a second 401 after the refresh is thrown, not retried again', async () => {
  const { f, calls } = fakeFetch((c) => c.url.endsWith('/refresh')
    ? json(200, { accessToken: 'new', refreshToken: 'r2', expiresIn: 900 })
    : json(401, { code: 'unauthorized', detail: 'no' }));
  const rest = new RestClient({ baseUrl: 'http://h', fetch: f, tokens: { accessToken: 'old', refreshToken: 'r1', expiresAt: 0 } });
  await assert.rejects(rest.getSession('s'), (e: unknown) => e instanceof ApiError && e.status === 401);
  assert.equal(calls.length, 3);
});

test('If-Match carries the version; 412 exposes currentVersion', async () => {
  const { f, calls } = fakeFetch(() => json(412, { code: 'version_conflict', detail: 'stale', currentVersion: 5 }));
  const rest = new RestClient({ baseUrl: 'http://h', fetch: f, tokens: { accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 1e6 } });
  await assert.rejects(rest.patchResource('r1', { a: 1 }, 3), (e: unknown) => e instanceof ApiError && e.code === 'version_conflict' && e.currentVersion === 5);
  assert.equal(calls[0]!.headers['if-match'], '"3"');
  assert.equal(calls[0]!.headers['content-type'], 'application/merge-patch+json');
});

test('validation errors keep the field list; ETags parse', async () => {
  const { f } = fakeFetch(() => json(400, { code: 'validation_failed', detail: 'bad', errors: { title: ['too long'] } }));
  const rest = new RestClient({ baseUrl: 'http://h/', fetch: f });
  await assert.rejects(rest.register('x', 'y', 'z'), (e: unknown) => e instanceof ApiError && e.errors?.title?.[0] === 'too long');
  assert.equal(parseETag('"12"'), 12);
  assert.equal(parseETag('W/"3"'), 3);
  assert.equal(parseETag(null), undefined);
});

test('304 on If-None-Match answers null', async () => {
  const { f, calls } = fakeFetch(() => new Response(null, { status: 304 }));
  const rest = new RestClient({ baseUrl: 'http://h', fetch: f, tokens: { accessToken: 'a', refreshToken: 'r', expiresAt: Date.now() + 1e6 } });
  assert.equal(await rest.getResource('r1', { ifNoneMatch: 4 }), null);
  assert.equal(calls[0]!.headers['if-none-match'], '"4"');
});
