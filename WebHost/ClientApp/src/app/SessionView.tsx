// A live session: title/status, members, presence, the event feed, the composer and the resources.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { Json, PresenceEntry, Session, SessionEvent, UserProfile } from '@actors/sdk';
import { errorCode, errorMessage, rest } from '../shared/auth';
import { nameOf, rememberName, useNames } from './names';
import { onRealtimeError, realtime, useConnectionState, whenConnected } from './realtime';
import { navigate } from './router';
import { ResourcesPanel } from './ResourcesPanel';
import { ResourceEditor } from './ResourceEditor';

const maxFeed = 500;

type JoinState = { phase: 'joining' } | { phase: 'joined' } | { phase: 'failed'; error: string; code: string };

export interface SessionViewProps { user: UserProfile; sessionId: string; resourceId: string | null }

export function SessionView({ user, sessionId, resourceId }: SessionViewProps) {
  useNames();
  const [session, setSession] = useState<Session | null>(null);
  const [loadError, setLoadError] = useState<{ code: string; message: string } | null>(null);
  const [join, setJoin] = useState<JoinState>({ phase: 'joining' });
  const [events, setEvents] = useState<SessionEvent[]>([]);
  const [presence, setPresence] = useState<PresenceEntry[]>([]);
  const [notice, setNotice] = useState<string | null>(null);
  const [resourcesTick, setResourcesTick] = useState(0);
  const [joinAttempt, setJoinAttempt] = useState(0);
  const connection = useConnectionState();
  const online = connection === 'connected' || connection === 'resynced';

  // Session reloads (after member.* events, closes, gaps) are coalesced: one in flight, at most one more.
  const currentId = useRef(sessionId);
  currentId.current = sessionId;
  const reloading = useRef({ running: false, again: false });
  async function reloadSession() {
    const r = reloading.current;
    if (r.running) { r.again = true; return; }
    r.running = true;
    try {
      do {
        r.again = false;
        const id = currentId.current;
        try {
          const s = await rest.getSession(id);
          if (currentId.current === id) { setSession(s); setLoadError(null); } else r.again = true;
        } catch (err) {
          if (currentId.current === id) setLoadError({ code: errorCode(err), message: errorMessage(err) });
          else r.again = true;
        }
      } while (r.again);
    } finally {
      r.running = false;
    }
  }

  useEffect(() => {
    setSession(null);
    setLoadError(null);
    setEvents([]);
    setPresence([]);
    setNotice(null);
    void reloadSession();
  }, [sessionId]);

  // Realtime join: events (each seq once, in order), presence, gaps, close.
  useEffect(() => {
    let cancelled = false;
    let joined = false;
    setJoin({ phase: 'joining' });
    setEvents([]);
    const onEvent = (event: SessionEvent) => {
      if (cancelled) return;
      setEvents((prev) => {
        const next = prev.length >= maxFeed ? prev.slice(prev.length - maxFeed + 1) : prev.slice();
        next.push(event);
        return next;
      });
      if (event.type.startsWith('member.') || event.type === 'session.closed') void reloadSession();
      if (event.type.startsWith('resource.')) setResourcesTick((t) => t + 1);
    };
    const onPresence = (map: ReadonlyMap<string, PresenceEntry>) => {
      if (cancelled) return;
      for (const entry of map.values()) rememberName(entry.userId, entry.displayName);
      setPresence([...map.values()]);
    };
    (async () => {
      while (!cancelled) {
        const rt = await whenConnected();
        if (cancelled) return;
        try {
          await rt.join(sessionId, {
            onEvent,
            onPresence,
            onGap: () => {
              if (cancelled) return;
              setNotice('Some older events are no longer available (past retention or the 1000-event limit); the feed starts later.');
              void reloadSession();
              setResourcesTick((t) => t + 1);
            },
            onClosed: () => { if (!cancelled) void reloadSession(); },
          });
          if (cancelled) { void rt.leave(sessionId); return; }
          joined = true;
          setJoin({ phase: 'joined' });
          return;
        } catch (err) {
          if (cancelled) return;
          const code = errorCode(err);
          if (code === 'network_error' || code === 'unavailable') {
            // The connection dropped under the join: try again once it is back.
            await new Promise((r) => setTimeout(r, 500));
            continue;
          }
          setJoin({ phase: 'failed', code, error: errorMessage(err) });
          return;
        }
      }
    })();
    // Errors the SDK reports later for this session (e.g. a re-join refused after reconnecting).
    const offError = onRealtimeError((error, context) => {
      if (!cancelled && context.sessionId === sessionId) setJoin({ phase: 'failed', code: String(error.code), error: errorMessage(error) });
    });
    return () => {
      cancelled = true;
      offError();
      if (joined) void realtime()?.leave(sessionId);
    };
  }, [sessionId, joinAttempt]);

  if (loadError && !session) {
    return (
      <div class="page">
        <p class="error" data-testid="session-error">
          {loadError.code === 'not_found' ? `not_found: there is no session “${sessionId}”, or it is private and you are not a member.` : loadError.message}
        </p>
        <a href="#/sessions">Back to my sessions</a>
      </div>
    );
  }

  const me = session?.members.find((m) => m.userId === user.id);
  const isOwner = session?.ownerId === user.id;
  const closed = session?.status === 'closed';
  const canWrite = !closed && (me?.role === 'owner' || me?.role === 'member');

  async function joinAsMember() {
    try {
      await rest.joinSession(sessionId);
      await reloadSession();
      setJoinAttempt((a) => a + 1);
    } catch (err) {
      setNotice(errorMessage(err));
    }
  }

  async function closeSession() {
    if (!confirm('Close this session? Nobody can publish or edit in it afterwards.')) return;
    try { setSession(await rest.closeSession(sessionId)); } catch (err) { setNotice(errorMessage(err)); }
  }

  async function leaveSession() {
    try {
      await realtime()?.leave(sessionId);
      await rest.removeMember(sessionId, user.id);
      navigate('#/sessions');
    } catch (err) {
      setNotice(errorMessage(err));
    }
  }

  return (
    <div class="session-page" data-testid="session-view" data-session-id={sessionId}>
      <section class="session-head card">
        <div class="row">
          <h1 data-testid="session-title">{session?.title ?? '…'}</h1>
          {session && <span class={`badge ${closed ? 'danger' : 'ok'}`} data-testid="session-status">{session.status}</span>}
          {session && <span class="badge">{session.visibility}</span>}
          {me && <span class="badge">you: {me.role}</span>}
          <span class="spacer" />
          {session && !me && session.visibility === 'public' && (
            <button class="primary" onClick={joinAsMember} data-testid="session-join-member">Join as member</button>
          )}
          {isOwner && !closed && <button class="danger" onClick={closeSession} data-testid="session-close">Close session</button>}
          {me && !isOwner && <button onClick={leaveSession} data-testid="session-leave">Leave</button>}
        </div>
        <div class="row small muted">
          <span>id <code data-testid="session-id">{sessionId}</code></span>
          <button class="link small" onClick={() => void navigator.clipboard?.writeText(sessionId).catch(() => undefined)}>copy</button>
          {session && <span>owner {nameOf(session.ownerId)}</span>}
          <span data-testid="join-state" data-phase={join.phase}>
            {join.phase === 'joining' ? 'joining live feed…' : join.phase === 'joined' ? (online ? 'live' : 'paused until reconnected') : ''}
          </span>
        </div>
        {join.phase === 'failed' && (
          <p class="error" data-testid="join-error">
            Live feed unavailable — {join.error}{' '}
            <button class="link" onClick={() => setJoinAttempt((a) => a + 1)}>retry</button>
          </p>
        )}
        {notice && <p class="warning" data-testid="session-notice">{notice} <button class="link" onClick={() => setNotice(null)}>dismiss</button></p>}
      </section>

      <aside class="session-left">
        <PresencePanel presence={presence} userId={user.id} />
        <MembersPanel session={session} userId={user.id} />
      </aside>

      <section class="session-center card">
        <h2>Events</h2>
        <EventFeed events={events} userId={user.id} />
        <Composer sessionId={sessionId} enabled={join.phase === 'joined' && canWrite && online}
          reason={closed ? 'This session is closed.' : session && !canWrite ? 'Viewers cannot post.'
            : !online ? 'Not connected: messages can be sent again once the connection is back.' : null} />
      </section>

      <aside class="session-right">
        {resourceId
          ? <ResourceEditor key={resourceId} sessionId={sessionId} resourceId={resourceId} user={user} canWrite={canWrite} />
          : null}
        <ResourcesPanel sessionId={sessionId} selected={resourceId} canWrite={canWrite} reloadTick={resourcesTick} />
      </aside>
    </div>
  );
}

function PresencePanel({ presence, userId }: { presence: PresenceEntry[]; userId: string }) {
  const sorted = [...presence].sort((a, b) => a.displayName.localeCompare(b.displayName));
  return (
    <section class="card">
      <h2>Here now <span class="muted small">({sorted.length})</span></h2>
      <ul class="plain presence" data-testid="presence-list">
        {sorted.map((p) => (
          <li key={p.userId} data-testid="presence-entry" data-user-id={p.userId} data-connections={p.connections}>
            <span class={`dot ${p.status === 'online' || p.connections > 0 ? 'online' : ''}`} aria-hidden="true" />
            <span class="name">{p.displayName}{p.userId === userId ? ' (you)' : ''}</span>
            <span class="muted small" title="live connections">
              {p.connections} {p.connections === 1 ? 'connection' : 'connections'}
            </span>
            {isTyping(p.meta) && <span class="typing small" data-testid="presence-typing">typing…</span>}
          </li>
        ))}
        {sorted.length === 0 && <li class="muted">nobody</li>}
      </ul>
    </section>
  );
}

function isTyping(meta: Json | null): boolean {
  return !!meta && typeof meta === 'object' && !Array.isArray(meta) && meta.typing === true;
}

function MembersPanel({ session, userId }: { session: Session | null; userId: string }) {
  useNames();
  if (!session) return null;
  return (
    <section class="card">
      <h2>Members <span class="muted small">({session.members.length})</span></h2>
      <ul class="plain" data-testid="member-list">
        {session.members.map((m) => (
          <li key={m.userId} data-testid="member-entry" data-user-id={m.userId}>
            <span class="name">{nameOf(m.userId)}{m.userId === userId ? ' (you)' : ''}</span>
            <span class="badge small">{m.role}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

function EventFeed({ events, userId }: { events: SessionEvent[]; userId: string }) {
  useNames();
  const list = useRef<HTMLOListElement>(null);
  const stick = useRef(true);

  useEffect(() => {
    const el = list.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [events]);

  return (
    <ol class="feed" ref={list} data-testid="event-feed"
      onScroll={(e) => { const el = e.currentTarget; stick.current = el.scrollHeight - el.scrollTop - el.clientHeight < 40; }}>
      {events.length === 0 && <li class="muted empty">No events yet. Say hello!</li>}
      {events.map((e) => (
        <li key={e.seq} class={`event ${e.type === 'chat.message' ? 'chat' : 'system'} ${e.authorId === userId ? 'mine' : ''}`}
          data-testid="event" data-seq={e.seq} data-type={e.type}>
          <span class="seq mono" title="seq">#{e.seq}</span>
          <span class="author" data-testid="event-author">{nameOf(e.authorId)}</span>
          <span class="type mono small">{e.type}</span>
          <span class="text" data-testid="event-text">{eventText(e)}</span>
          <time class="muted small" dateTime={e.at} title={e.at}>{formatTime(e.at)}</time>
        </li>
      ))}
    </ol>
  );
}

function field(payload: Json, key: string): Json | undefined {
  return payload && typeof payload === 'object' && !Array.isArray(payload) ? payload[key] : undefined;
}

function eventText(e: SessionEvent): string {
  const p = e.payload;
  switch (e.type) {
    case 'chat.message': {
      const text = field(p, 'text');
      return typeof text === 'string' ? text : JSON.stringify(p);
    }
    case 'member.joined': return `${nameOf(String(field(p, 'userId') ?? ''))} joined as ${String(field(p, 'role') ?? 'member')}`;
    case 'member.left': return `${nameOf(String(field(p, 'userId') ?? ''))} left`;
    case 'member.role_changed': return `${nameOf(String(field(p, 'userId') ?? ''))} is now ${String(field(p, 'role') ?? '?')}`;
    case 'session.closed': return 'closed the session';
    case 'resource.created': return `created “${String(field(p, 'name') ?? '')}” (version ${String(field(p, 'version') ?? 1)})`;
    case 'resource.updated': return `updated “${String(field(p, 'name') ?? '')}” to version ${String(field(p, 'version') ?? '?')}`;
    case 'resource.deleted': return `deleted “${String(field(p, 'name') ?? '')}”`;
    default: return typeof p === 'string' ? p : JSON.stringify(p);
  }
}

function formatTime(at: string): string {
  const d = new Date(at);
  return Number.isNaN(d.getTime()) ? at : d.toLocaleTimeString();
}

function newClientMsgId(): string {
  if (typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}-${Math.random().toString(36).slice(2)}`;
}

function Composer({ sessionId, enabled, reason }: { sessionId: string; enabled: boolean; reason: string | null }) {
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // One clientMsgId per message: a retry after a failure reuses it, so the server keeps one copy.
  const pending = useRef<{ text: string; id: string } | null>(null);
  const typing = useRef<{ on: boolean; timer: ReturnType<typeof setTimeout> | null }>({ on: false, timer: null });
  const input = useRef<HTMLInputElement>(null);

  function setTyping(on: boolean) {
    const t = typing.current;
    if (t.timer) { clearTimeout(t.timer); t.timer = null; }
    if (on) t.timer = setTimeout(() => setTyping(false), 3000);
    if (t.on === on) return;
    t.on = on;
    realtime()?.setPresence(sessionId, { typing: on }).catch(() => undefined);
  }

  useEffect(() => () => { if (typing.current.timer) clearTimeout(typing.current.timer); }, []);

  async function send(e: Event) {
    e.preventDefault();
    const message = text.trim();
    const rt = realtime();
    if (!message || !rt) return;
    if (!pending.current || pending.current.text !== message) pending.current = { text: message, id: newClientMsgId() };
    setBusy(true);
    setError(null);
    try {
      await rt.publish(sessionId, 'chat.message', { text: message }, pending.current.id);
      pending.current = null;
      setText('');
      setTyping(false);
    } catch (err) {
      setError(`Not sent — ${errorMessage(err)}`);
    } finally {
      setBusy(false);
      input.current?.focus();
    }
  }

  return (
    <form class="composer" onSubmit={send}>
      {error && <p class="error" data-testid="composer-error">{error}</p>}
      {reason && <p class="muted small">{reason}</p>}
      <div class="row">
        <input ref={input} class="grow" placeholder={enabled ? 'Write a message…' : 'You cannot post right now'}
          maxLength={4000} value={text} disabled={!enabled} data-testid="composer-input"
          onInput={(e) => { setText(e.currentTarget.value); setTyping(e.currentTarget.value.length > 0); }} />
        <button type="submit" class="primary" disabled={!enabled || busy || !text.trim()} data-testid="composer-send">Send</button>
      </div>
    </form>
  );
}
