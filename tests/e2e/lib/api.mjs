// A small client for the REST contract (DESIGN §5).
import { randomUUID } from 'node:crypto';

export async function call(base, method, path, { token, body, headers = {} } = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : undefined;
  if (!response.ok) {
    const error = new Error(`${method} ${path} → ${response.status}: ${text}`);
    error.status = response.status;
    error.body = json;
    throw error;
  }
  return json;
}

/** Registers a fresh user and returns {id, token, refreshToken, email}. */
export async function register(base, name = 'user') {
  const email = `${name}-${randomUUID().slice(0, 8)}@example.test`;
  const result = await call(base, 'POST', '/api/auth/register', {
    body: { email, password: 'correct horse battery', displayName: name },
  });
  return { id: result.user.id, token: result.accessToken, refreshToken: result.refreshToken, email, name };
}

export async function createSession(base, owner, { title = 'e2e', visibility = 'private' } = {}) {
  return call(base, 'POST', '/api/sessions', { token: owner.token, body: { title, visibility } });
}

export async function addMember(base, owner, sessionId, user, role = 'member') {
  return call(base, 'PUT', `/api/sessions/${sessionId}/members/${user.id}`, { token: owner.token, body: { role } });
}

export async function publish(base, user, sessionId, type, payload, clientMsgId) {
  return call(base, 'POST', `/api/sessions/${sessionId}/events`, { token: user.token, body: { type, payload, clientMsgId } });
}
