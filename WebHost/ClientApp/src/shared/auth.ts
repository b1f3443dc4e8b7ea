// Sign-in state shared by the web client (/) and the operator dashboard (/dashboard): one RestClient
// against this origin, tokens persisted in localStorage under `actors.tokens` and kept current by
// the SDK's onTokens callback (login, refresh rotation, logout), and the signed-in user's profile.
//
// Stable API (imported read-only by both pages): rest, tokensKey, loadTokens, saveTokens,
// clearTokens, currentUser, loadCurrentUser, signIn, register, signOut, onAuthChange,
// onSignedInChange, errorMessage, errorCode.
import { ApiError, RestClient, type TokenState, type UserProfile } from '@actors/sdk';

export const tokensKey = 'actors.tokens';

/** Tokens saved by a previous page load (or another tab), or null. */
export function loadTokens(): TokenState | null {
  try {
    const raw = localStorage.getItem(tokensKey);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Partial<TokenState>;
    if (typeof parsed.accessToken !== 'string' || typeof parsed.refreshToken !== 'string') return null;
    return { accessToken: parsed.accessToken, refreshToken: parsed.refreshToken, expiresAt: Number(parsed.expiresAt) || 0 };
  } catch {
    return null;
  }
}

export function saveTokens(tokens: TokenState | null): void {
  try {
    if (tokens) localStorage.setItem(tokensKey, JSON.stringify(tokens));
    else localStorage.removeItem(tokensKey);
  } catch {
    // storage unavailable (private mode): the sign-in lasts as long as the page
  }
}

export function clearTokens(): void { saveTokens(null); }

type AuthListener = (user: UserProfile | null) => void;
type SignedInListener = (signedIn: boolean) => void;
const authListeners = new Set<AuthListener>();
const signedInListeners = new Set<SignedInListener>();
let user: UserProfile | null = null;

function setUser(next: UserProfile | null): void {
  user = next;
  for (const listener of [...authListeners]) listener(user);
}

/**
 * The one RestClient of this page (same origin). Requests bypass the browser's HTTP cache: a
 * resource's ETag is its version only, so a revalidated cached copy would hide lock changes.
 */
export const rest = new RestClient({
  baseUrl: location.origin,
  fetch: (input, init) => fetch(input, { ...init, cache: 'no-store' }),
  tokens: loadTokens(),
  onTokens: (tokens) => {
    saveTokens(tokens);
    for (const listener of [...signedInListeners]) listener(tokens !== null);
    if (tokens === null && user !== null) setUser(null); // signed out, or a refresh failed
  },
});

/** The signed-in user's profile once known (after signIn/register/loadCurrentUser), else null. */
export function currentUser(): UserProfile | null { return user; }

/** Loads the profile of the user whose tokens are stored; null when not signed in (or the tokens are dead). */
export async function loadCurrentUser(): Promise<UserProfile | null> {
  if (!rest.isSignedIn) { setUser(null); return null; }
  try {
    const me = await rest.me();
    setUser(me);
    return me;
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.code === 'unauthorized' || error.code === 'token_reused')) {
      rest.setTokens(null);
      setUser(null);
      return null;
    }
    throw error;
  }
}

export async function signIn(email: string, password: string): Promise<UserProfile> {
  const r = await rest.login(email, password);
  setUser(r.user);
  return r.user;
}

export async function register(email: string, password: string, displayName: string): Promise<UserProfile> {
  const r = await rest.register(email, password, displayName);
  setUser(r.user);
  return r.user;
}

/** Revokes the refresh token (best effort) and forgets the tokens. */
export async function signOut(): Promise<void> {
  try { await rest.logout(); } catch { /* tokens are cleared by logout's finally */ }
  setUser(null);
}

/** Called with the user on sign-in and with null on sign-out (or when the tokens died). */
export function onAuthChange(listener: AuthListener): () => void {
  authListeners.add(listener);
  return () => { authListeners.delete(listener); };
}

/** Called whenever the tokens appear or disappear (sign-in, sign-out, a failed refresh, another tab). */
export function onSignedInChange(listener: SignedInListener): () => void {
  signedInListeners.add(listener);
  return () => { signedInListeners.delete(listener); };
}

/** The API error code of a failure (`invalid_credentials`, `version_conflict`, ...) or 'unknown'. */
export function errorCode(error: unknown): string {
  return error instanceof ApiError ? String(error.code) : 'unknown';
}

/** A readable one-line message for any failure: `code: detail` for API errors (plus field errors). */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) {
    let text = `${error.code}: ${error.detail}`;
    if (error.errors) {
      const fields = Object.entries(error.errors).map(([field, messages]) => `${field}: ${messages.join(' ')}`);
      if (fields.length) text += ` (${fields.join('; ')})`;
    }
    if (error.code === 'network_error') text = `network_error: cannot reach the server (${error.detail})`;
    return text;
  }
  return error instanceof Error ? error.message : String(error);
}

// Another tab signed in or out.
window.addEventListener('storage', (e) => {
  if (e.key !== tokensKey) return;
  const tokens = loadTokens();
  if ((tokens === null) !== (rest.currentTokens === null)) {
    rest.setTokens(tokens);
    if (tokens) void loadCurrentUser().catch(() => undefined);
  }
});
