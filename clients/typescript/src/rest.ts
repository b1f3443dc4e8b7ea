import { ApiError, problemToError } from './errors.js';
import type {
  AuthTokens, EventList, Json, Page, PresenceEntry, PublishAck, Resource, ResourceLock, ResourceVersion,
  Role, Session, UserCard, UserProfile, Visibility,
} from './types.js';

export interface TokenState { accessToken: string; refreshToken: string; /** epoch ms */ expiresAt: number }

export interface RestClientOptions {
  /** Origin of the WebHost, e.g. `http://127.0.0.1:5000` ('' for same origin in a browser). */
  baseUrl: string;
  tokens?: TokenState | null;
  /** Called whenever the tokens change (login, refresh, logout → null), e.g. to persist them. */
  onTokens?: (tokens: TokenState | null) => void;
  fetch?: typeof fetch;
}

interface RequestOptions {
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined | null>;
  /** Send no Authorization header and never refresh (register/login/refresh). */
  anonymous?: boolean;
}

interface RawResponse<T> { status: number; body: T; headers: Headers }

/** A versioned read: the resource and its ETag version. */
export interface Versioned<T> { value: T; version: number }

/** `"7"` → 7 (weak `W/"7"` accepted). */
export function parseETag(etag: string | null): number | undefined {
  if (!etag) return undefined;
  const m = /^(?:W\/)?"(\d+)"$/.exec(etag.trim());
  return m ? Number(m[1]) : undefined;
}

export const formatETag = (version: number): string => `"${version}"`;

/**
 * Typed client for the REST contract (DESIGN §5). Holds the access/refresh tokens; a 401 on an
 * authenticated call triggers one refresh (shared by concurrent callers) and one retry.
 * Every non-2xx answer is thrown as an {@link ApiError} parsed from problem+json.
 */
export class RestClient {
  private readonly base: string;
  private readonly fetchImpl: typeof fetch;
  private tokens: TokenState | null;
  private refreshing: Promise<TokenState> | null = null;
  private readonly onTokens?: (tokens: TokenState | null) => void;

  constructor(options: RestClientOptions) {
    this.base = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.tokens = options.tokens ?? null;
    this.onTokens = options.onTokens;
  }

  get currentTokens(): TokenState | null { return this.tokens; }
  get isSignedIn(): boolean { return this.tokens !== null; }

  setTokens(tokens: TokenState | null): void {
    this.tokens = tokens;
    this.onTokens?.(tokens);
  }

  /** An access token valid for at least `minValidityMs` more (refreshing first if needed); for the realtime client's accessTokenFactory. */
  async getAccessToken(minValidityMs = 30_000): Promise<string> {
    if (!this.tokens) throw new ApiError({ status: 401, code: 'unauthorized', detail: 'not signed in' });
    if (this.tokens.expiresAt - Date.now() < minValidityMs) await this.refresh();
    return this.tokens!.accessToken;
  }

  // ---- auth
  async register(email: string, password: string, displayName: string): Promise<AuthTokens & { user: UserProfile }> {
    const r = await this.request<AuthTokens & { user: UserProfile }>('POST', '/api/auth/register', { body: { email, password, displayName }, anonymous: true });
    this.acceptTokens(r.body);
    return r.body;
  }

  async login(email: string, password: string): Promise<AuthTokens & { user: UserProfile }> {
    const r = await this.request<AuthTokens & { user: UserProfile }>('POST', '/api/auth/login', { body: { email, password }, anonymous: true });
    this.acceptTokens(r.body);
    return r.body;
  }

  /** Rotates the refresh token. Concurrent callers share one request. On failure the tokens are cleared. */
  refresh(): Promise<TokenState> {
    if (this.refreshing) return this.refreshing;
    const refreshToken = this.tokens?.refreshToken;
    if (!refreshToken) return Promise.reject(new ApiError({ status: 401, code: 'unauthorized', detail: 'no refresh token' }));
    this.refreshing = (async () => {
      try {
        const r = await this.request<AuthTokens>('POST', '/api/auth/refresh', { body: { refreshToken }, anonymous: true });
        return this.acceptTokens(r.body);
      } catch (error) {
        if (error instanceof ApiError && error.status === 401) this.setTokens(null);
        throw error;
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  async logout(): Promise<void> {
    const refreshToken = this.tokens?.refreshToken;
    try {
      if (refreshToken) await this.request('POST', '/api/auth/logout', { body: { refreshToken } });
    } finally {
      this.setTokens(null);
    }
  }

  // ---- users
  async me(): Promise<UserProfile> { return (await this.request<UserProfile>('GET', '/api/users/me')).body; }
  async updateMe(displayName: string): Promise<UserProfile> {
    return (await this.request<UserProfile>('PATCH', '/api/users/me', { body: { displayName } })).body;
  }
  async getUser(id: string): Promise<UserCard> { return (await this.request<UserCard>('GET', `/api/users/${enc(id)}`)).body; }

  // ---- sessions
  async createSession(title: string, visibility: Visibility = 'private'): Promise<Session> {
    return (await this.request<Session>('POST', '/api/sessions', { body: { title, visibility } })).body;
  }
  async listSessions(options: { cursor?: string; limit?: number } = {}): Promise<Page<Session>> {
    return (await this.request<Page<Session>>('GET', '/api/sessions', { query: options })).body;
  }
  async getSession(id: string): Promise<Session> { return (await this.request<Session>('GET', `/api/sessions/${enc(id)}`)).body; }
  async updateSession(id: string, changes: { title?: string; visibility?: Visibility }): Promise<Session> {
    return (await this.request<Session>('PATCH', `/api/sessions/${enc(id)}`, { body: changes })).body;
  }
  async closeSession(id: string): Promise<Session> {
    return (await this.request<Session>('POST', `/api/sessions/${enc(id)}/close`)).body;
  }
  /** Joins a public session as member. */
  async joinSession(id: string): Promise<Session> {
    return (await this.request<Session>('POST', `/api/sessions/${enc(id)}/join`)).body;
  }
  async setMember(sessionId: string, userId: string, role: Role): Promise<Session> {
    return (await this.request<Session>('PUT', `/api/sessions/${enc(sessionId)}/members/${enc(userId)}`, { body: { role } })).body;
  }
  async removeMember(sessionId: string, userId: string): Promise<void> {
    await this.request('DELETE', `/api/sessions/${enc(sessionId)}/members/${enc(userId)}`);
  }
  async getPresence(sessionId: string): Promise<{ items: PresenceEntry[] }> {
    return (await this.request<{ items: PresenceEntry[] }>('GET', `/api/sessions/${enc(sessionId)}/presence`)).body;
  }

  // ---- session events
  async publish(sessionId: string, type: string, payload: Json, clientMsgId?: string): Promise<PublishAck> {
    const body: Record<string, unknown> = { type, payload };
    if (clientMsgId !== undefined) body.clientMsgId = clientMsgId;
    return (await this.request<PublishAck>('POST', `/api/sessions/${enc(sessionId)}/events`, { body })).body;
  }
  async listEvents(sessionId: string, options: { after?: number; limit?: number } = {}): Promise<EventList> {
    return (await this.request<EventList>('GET', `/api/sessions/${enc(sessionId)}/events`, { query: options })).body;
  }

  // ---- resources
  async createResource<D extends Json = Json>(sessionId: string, name: string, kind: string, data: D): Promise<Resource<D>> {
    return (await this.request<Resource<D>>('POST', `/api/sessions/${enc(sessionId)}/resources`, { body: { name, kind, data } })).body;
  }
  async listResources(sessionId: string): Promise<Page<Resource>> {
    return (await this.request<Page<Resource>>('GET', `/api/sessions/${enc(sessionId)}/resources`)).body;
  }
  /**
   * Reads a resource. With `ifNoneMatch` (a version you hold) an unchanged resource answers
   * `null` (304 Not Modified).
   */
  async getResource<D extends Json = Json>(id: string, options: { ifNoneMatch?: number } = {}): Promise<Resource<D> | null> {
    const headers: Record<string, string> = {};
    if (options.ifNoneMatch !== undefined) headers['if-none-match'] = formatETag(options.ifNoneMatch);
    const r = await this.request<Resource<D>>('GET', `/api/resources/${enc(id)}`, { headers });
    if (r.status === 304) return null;
    return withVersion(r);
  }
  /** Replaces `data`; `expectedVersion` is sent as `If-Match: "v"` (`'*'` = whatever is current). 412 → ApiError with currentVersion. */
  async replaceResource<D extends Json = Json>(id: string, data: D, expectedVersion: number | '*'): Promise<Resource<D>> {
    const r = await this.request<Resource<D>>('PUT', `/api/resources/${enc(id)}`, { body: { data }, headers: ifMatch(expectedVersion) });
    return withVersion(r);
  }
  /** Applies an RFC 7396 merge patch to `data`. */
  async patchResource<D extends Json = Json>(id: string, patch: Json, expectedVersion: number | '*'): Promise<Resource<D>> {
    const r = await this.request<Resource<D>>('PATCH', `/api/resources/${enc(id)}`, {
      body: patch, contentType: 'application/merge-patch+json', headers: ifMatch(expectedVersion),
    });
    return withVersion(r);
  }
  async deleteResource(id: string): Promise<void> { await this.request('DELETE', `/api/resources/${enc(id)}`); }
  async lockResource(id: string, ttlSeconds = 30): Promise<ResourceLock> {
    return (await this.request<ResourceLock>('POST', `/api/resources/${enc(id)}/lock`, { body: { ttlSeconds } })).body;
  }
  async unlockResource(id: string): Promise<void> { await this.request('DELETE', `/api/resources/${enc(id)}/lock`); }
  async resourceHistory<D extends Json = Json>(id: string, options: { limit?: number } = {}): Promise<{ items: ResourceVersion<D>[] }> {
    return (await this.request<{ items: ResourceVersion<D>[] }>('GET', `/api/resources/${enc(id)}/history`, { query: options })).body;
  }

  // ---- plumbing
  private acceptTokens(body: AuthTokens): TokenState {
    const tokens = { accessToken: body.accessToken, refreshToken: body.refreshToken, expiresAt: Date.now() + body.expiresIn * 1000 };
    this.setTokens(tokens);
    return tokens;
  }

  /** Any call of the contract; throws ApiError on non-2xx (except 304). */
  async request<T = unknown>(method: string, path: string, options: RequestOptions = {}): Promise<RawResponse<T>> {
    const first = await this.send(method, path, options);
    if (first.status === 401 && !options.anonymous && this.tokens?.refreshToken) {
      const used = this.tokens.accessToken;
      try {
        // Another caller may have refreshed meanwhile; only refresh if our token is still current.
        if (this.tokens.accessToken === used) await this.refresh();
      } catch {
        return this.finish<T>(first);
      }
      return this.finish<T>(await this.send(method, path, options));
    }
    return this.finish<T>(first);
  }

  private async send(method: string, path: string, options: RequestOptions): Promise<Response> {
    let url = `${this.base}${path}`;
    if (options.query) {
      const params = new URLSearchParams();
      for (const [k, v] of Object.entries(options.query)) if (v !== undefined && v !== null) params.set(k, String(v));
      const qs = params.toString();
      if (qs) url += `?${qs}`;
    }
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...(options.headers ?? {}) };
    if (options.body !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
    if (!options.anonymous && this.tokens) headers.authorization = `Bearer ${this.tokens.accessToken}`;
    try {
      return await this.fetchImpl(url, { method, headers, body: options.body !== undefined ? JSON.stringify(options.body) : undefined });
    } catch (error) {
      throw new ApiError({ status: 0, code: 'network_error', detail: error instanceof Error ? error.message : String(error) });
    }
  }

  private async finish<T>(response: Response): Promise<RawResponse<T>> {
    const text = response.status === 204 || response.status === 304 ? '' : await response.text();
    let body: unknown = undefined;
    if (text) {
      try { body = JSON.parse(text); } catch { body = text; }
    }
    if (!response.ok && response.status !== 304) throw problemToError(response.status, body, response.statusText);
    return { status: response.status, body: body as T, headers: response.headers };
  }
}

function enc(s: string): string { return encodeURIComponent(s); }

function ifMatch(expectedVersion: number | '*'): Record<string, string> {
  return { 'if-match': expectedVersion === '*' ? '*' : formatETag(expectedVersion) };
}

function withVersion<T>(r: RawResponse<T>): T {
  const version = parseETag(r.headers.get('etag'));
  const body = r.body as T & { version?: number };
  if (version !== undefined && body && typeof body === 'object' && body.version === undefined) body.version = version;
  return body;
}
