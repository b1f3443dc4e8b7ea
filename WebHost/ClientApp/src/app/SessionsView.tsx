// "My sessions": the list, create a session, join a public session by id.
import { useEffect, useState } from 'preact/hooks';
import type { Session, UserProfile, Visibility } from '@actors/sdk';
import { errorMessage, rest } from '../shared/auth';
import { navigate, sessionHref } from './router';

export function SessionsView({ user }: { user: UserProfile }) {
  const [sessions, setSessions] = useState<Session[] | null>(null);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  async function load(cursor?: string) {
    setError(null);
    try {
      const page = await rest.listSessions({ cursor, limit: 50 });
      setSessions((prev) => (cursor && prev ? [...prev, ...page.items] : page.items));
      setNextCursor(page.nextCursor ?? null);
    } catch (err) {
      setError(errorMessage(err));
      setSessions((prev) => prev ?? []);
    }
  }

  useEffect(() => { void load(); }, []);

  return (
    <div class="page sessions-page">
      <section class="card">
        <div class="row">
          <h1>My sessions</h1>
          <span class="spacer" />
          <button onClick={() => load()} data-testid="sessions-refresh">Refresh</button>
        </div>
        {error && <p class="error" data-testid="sessions-error">{error}</p>}
        {sessions === null ? <p class="muted">Loading…</p>
          : sessions.length === 0 ? <p class="muted" data-testid="sessions-empty">You are not in any session yet. Create one or join a public one by its id.</p>
          : (
            <table data-testid="sessions-list">
              <thead><tr><th>Title</th><th>Visibility</th><th>Status</th><th>Your role</th><th>Id</th></tr></thead>
              <tbody>
                {sessions.map((s) => (
                  <tr key={s.id} data-testid="session-row" data-session-id={s.id}>
                    <td><a href={sessionHref(s.id)}>{s.title}</a></td>
                    <td>{s.visibility}</td>
                    <td><span class={`badge ${s.status === 'open' ? 'ok' : ''}`}>{s.status}</span></td>
                    <td>{s.members.find((m) => m.userId === user.id)?.role ?? '—'}</td>
                    <td class="mono small">{s.id}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        {nextCursor && <button onClick={() => load(nextCursor)} data-testid="sessions-more">Load more</button>}
      </section>
      <div class="side-by-side">
        <CreateSession />
        <JoinSession />
      </div>
    </div>
  );
}

function CreateSession() {
  const [title, setTitle] = useState('');
  const [visibility, setVisibility] = useState<Visibility>('private');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const session = await rest.createSession(title.trim(), visibility);
      navigate(sessionHref(session.id));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={submit} data-testid="session-create">
      <h2>New session</h2>
      <label>
        Title
        <input required maxLength={200} value={title} data-testid="session-create-title"
          onInput={(e) => setTitle(e.currentTarget.value)} />
      </label>
      <label>
        Visibility
        <select value={visibility} data-testid="session-create-visibility"
          onChange={(e) => setVisibility(e.currentTarget.value as Visibility)}>
          <option value="private">private — only members</option>
          <option value="public">public — anyone with the id can join</option>
        </select>
      </label>
      {error && <p class="error" data-testid="session-create-error">{error}</p>}
      <button type="submit" class="primary" disabled={busy || !title.trim()} data-testid="session-create-submit">Create</button>
    </form>
  );
}

function JoinSession() {
  const [id, setId] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    const sessionId = extractId(id);
    if (!sessionId) { setError('validation_failed: enter a session id (letters, digits, - and _) or a session link'); return; }
    setBusy(true);
    setError(null);
    try {
      await rest.joinSession(sessionId);
      navigate(sessionHref(sessionId));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={submit} data-testid="session-join">
      <h2>Join a public session</h2>
      <label>
        Session id or link
        <input required value={id} data-testid="join-session-id" onInput={(e) => setId(e.currentTarget.value)} />
      </label>
      {error && <p class="error" data-testid="join-session-error">{error}</p>}
      <button type="submit" class="primary" disabled={busy || !id.trim()} data-testid="join-session-submit">Join</button>
    </form>
  );
}

/** Accepts a bare id or a pasted link such as http://host/#/sessions/{id}. */
function extractId(input: string): string | null {
  const text = input.trim();
  const fromLink = /#\/sessions\/([A-Za-z0-9_-]{1,64})/.exec(text);
  if (fromLink) return fromLink[1]!;
  return /^[A-Za-z0-9_-]{1,64}$/.test(text) ? text : null;
}
