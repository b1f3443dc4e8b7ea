// JSON editor for one resource: shows its version, saves with the expected version (If-Match),
// shows version conflicts and edit locks, lock/unlock, and follows live changes (resourceChanged).
import { useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, type Json, type RealtimeClient, type Resource, type ResourceChange, type UserProfile } from '@actors/sdk';
import { errorCode, errorMessage, rest } from '../shared/auth';
import { nameOf, useNames } from './names';
import { onResourceChanged, whenConnected } from './realtime';
import { navigate, sessionHref } from './router';

export interface ResourceEditorProps { sessionId: string; resourceId: string; user: UserProfile; canWrite: boolean }

interface Conflict { yourVersion: number; currentVersion: number | null }

const pretty = (data: Json) => JSON.stringify(data, null, 2);
const lockActive = (r: Resource | null) => !!r?.lock && new Date(r.lock.expiresAt).getTime() > Date.now();

export function ResourceEditor({ sessionId, resourceId, user, canWrite }: ResourceEditorProps) {
  useNames();
  const [resource, setResource] = useState<Resource | null>(null);
  const [text, setText] = useState('');
  const [dirty, setDirty] = useState(false);
  const [remote, setRemote] = useState<ResourceChange | null>(null);
  const [conflict, setConflict] = useState<Conflict | null>(null);
  const [lockedError, setLockedError] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [status, setStatus] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [deleted, setDeleted] = useState(false);
  const [loadError, setLoadError] = useState<string | null>(null);
  // The live-change handler reads the latest values through this ref.
  const live = useRef({ resource, dirty });
  live.current = { resource, dirty };

  function show(r: Resource, message: string | null) {
    setResource(r);
    setText(pretty(r.data));
    setDirty(false);
    setConflict(null);
    setLockedError(null);
    setError(null);
    setRemote((prev) => (prev && prev.version > r.version ? prev : null));
    setStatus(message);
  }

  async function load(message: string | null = null) {
    try {
      const r = await rest.getResource(resourceId);
      if (r) { show(r, message); setLoadError(null); }
    } catch (err) {
      setLoadError(errorMessage(err));
    }
  }

  /** Refreshes only the lock (keeps the user's edits). */
  async function refreshLock() {
    try {
      const r = await rest.getResource(resourceId);
      if (r) setResource((prev) => (prev ? { ...prev, lock: r.lock } : r));
    } catch { /* shown elsewhere */ }
  }

  useEffect(() => { void load(); }, [resourceId]);

  // Live changes of this resource.
  useEffect(() => {
    let cancelled = false;
    let watching = false;
    let rt: RealtimeClient | null = null;
    const apply = (change: ResourceChange) => {
      if (change.deleted) { setDeleted(true); return; }
      const current = live.current.resource;
      // Before the first load answers there is nothing to compare with; that load is at least as new.
      if (!current || change.version <= current.version) return;
      if (!live.current.dirty) {
        setResource({ ...current, data: change.data, version: change.version, updatedBy: change.updatedBy, updatedAt: change.updatedAt });
        setText(pretty(change.data));
        setRemote(null);
        setConflict(null);
        setStatus(`Updated live to version ${change.version} by ${nameOf(change.updatedBy)}.`);
      } else {
        setRemote(change);
      }
    };
    const off = onResourceChanged((id, change) => { if (!cancelled && id === resourceId) apply(change); });
    whenConnected().then(async (client) => {
      if (cancelled) return;
      rt = client;
      try {
        const current = await client.watchResource(resourceId);
        watching = true;
        // A change between the REST load and the watch: the watch's answer has it.
        if (!cancelled) apply({ version: current.version, data: current.data, updatedBy: current.updatedBy, updatedAt: current.updatedAt });
        if (cancelled) { void client.unwatchResource(resourceId).catch(() => undefined); watching = false; }
      } catch (err) {
        if (!cancelled) setError(`Live updates unavailable — ${errorMessage(err)}`);
      }
    }, () => undefined);
    return () => {
      cancelled = true;
      off();
      if (watching) void rt?.unwatchResource(resourceId).catch(() => undefined);
    };
  }, [resourceId]);

  async function save(expected?: number) {
    if (!resource) return;
    let data: Json;
    try {
      data = JSON.parse(text) as Json;
    } catch (err) {
      setError(`validation_failed: not valid JSON (${err instanceof Error ? err.message : String(err)})`);
      return;
    }
    const expectedVersion = expected ?? resource.version;
    setBusy(true);
    setError(null);
    setLockedError(null);
    setStatus(null);
    try {
      const saved = await rest.replaceResource(resourceId, data, expectedVersion);
      show(saved, `Saved version ${saved.version}.`);
    } catch (err) {
      const code = errorCode(err);
      if (code === 'version_conflict') {
        const current = err instanceof ApiError && err.currentVersion !== undefined ? err.currentVersion : remote?.version ?? null;
        setConflict({ yourVersion: expectedVersion, currentVersion: current });
      } else if (code === 'locked') {
        setLockedError(errorMessage(err));
        void refreshLock();
      } else {
        setError(errorMessage(err));
      }
    } finally {
      setBusy(false);
    }
  }

  async function lock() {
    setError(null);
    setLockedError(null);
    try {
      const l = await rest.lockResource(resourceId, 120);
      setResource((prev) => (prev ? { ...prev, lock: l } : prev));
      setStatus('You hold the edit lock for 2 minutes.');
    } catch (err) {
      if (errorCode(err) === 'locked') { setLockedError(errorMessage(err)); void refreshLock(); } else setError(errorMessage(err));
    }
  }

  async function unlock() {
    setError(null);
    try {
      await rest.unlockResource(resourceId);
      setResource((prev) => (prev ? { ...prev, lock: null } : prev));
      setLockedError(null);
      setStatus('Lock released.');
    } catch (err) {
      if (errorCode(err) === 'locked') { setLockedError(errorMessage(err)); void refreshLock(); } else setError(errorMessage(err));
    }
  }

  async function remove() {
    if (!confirm('Delete this resource?')) return;
    try {
      await rest.deleteResource(resourceId);
      navigate(sessionHref(sessionId));
    } catch (err) {
      setError(errorMessage(err));
    }
  }

  if (loadError && !resource) {
    return (
      <section class="card editor" data-testid="resource-editor-panel">
        <p class="error" data-testid="resource-error">{loadError}</p>
        <a href={sessionHref(sessionId)}>Close</a>
      </section>
    );
  }
  if (!resource) return <section class="card editor"><p class="muted">Loading resource…</p></section>;

  const locked = lockActive(resource);
  const lockedByMe = locked && resource.lock!.lockedBy === user.id;
  const lockedByOther = locked && !lockedByMe;
  let jsonError: string | null = null;
  try { JSON.parse(text); } catch (err) { jsonError = err instanceof Error ? err.message : String(err); }

  return (
    <section class="card editor" data-testid="resource-editor-panel" data-resource-id={resourceId}>
      <div class="row">
        <h2 data-testid="resource-name">{resource.name}</h2>
        <span class="badge small">{resource.kind}</span>
        <span class="badge small" data-testid="resource-version" data-version={resource.version}>version {resource.version}</span>
        {dirty && <span class="badge warn small" data-testid="resource-dirty">edited</span>}
        <span class="spacer" />
        <a href={sessionHref(sessionId)} title="close the editor">✕</a>
      </div>
      <p class="muted small">
        last saved by {nameOf(resource.updatedBy)} at {new Date(resource.updatedAt).toLocaleString()}
      </p>
      <p class={`small ${lockedByOther ? 'lock-other' : 'muted'}`} data-testid="resource-lock-status"
        data-locked-by={locked ? resource.lock!.lockedBy : ''}>
        {!locked ? 'Not locked.'
          : lockedByMe ? `Locked by you until ${new Date(resource.lock!.expiresAt).toLocaleTimeString()}.`
          : `Locked by ${nameOf(resource.lock!.lockedBy)} until ${new Date(resource.lock!.expiresAt).toLocaleTimeString()}: only they can save.`}
      </p>

      {deleted && <p class="error" data-testid="resource-deleted">This resource was deleted.</p>}
      {remote && remote.version > resource.version && !conflict && (
        <p class="warning" data-testid="resource-remote-change">
          {nameOf(remote.updatedBy)} saved version {remote.version} while you were editing version {resource.version}.
          Saving now will be refused; <button class="link" onClick={() => load()} data-testid="resource-remote-reload">load version {remote.version}</button> (discards your edits).
        </p>
      )}
      {conflict && (
        <div class="error conflict" role="alert" data-testid="resource-conflict" data-current-version={conflict.currentVersion ?? ''}>
          <strong>Version conflict.</strong> Your edit is based on version {conflict.yourVersion}, but the resource is now at
          version <span data-testid="resource-conflict-version">{conflict.currentVersion ?? '?'}</span>
          {remote && remote.version === conflict.currentVersion ? ` (saved by ${nameOf(remote.updatedBy)})` : ''}. Your changes were not saved.
          <div class="row">
            <button onClick={() => load(`Reloaded version ${conflict.currentVersion ?? ''}; your edits were discarded.`)} data-testid="resource-reload">
              Reload current version
            </button>
            {conflict.currentVersion !== null && (
              <button class="danger" onClick={() => save(conflict.currentVersion!)} data-testid="resource-overwrite">
                Overwrite with my edit
              </button>
            )}
          </div>
        </div>
      )}
      {lockedError && (
        <p class="error" role="alert" data-testid="resource-locked">
          <strong>Locked.</strong> {lockedByOther ? `${nameOf(resource.lock!.lockedBy)} holds the edit lock until ${new Date(resource.lock!.expiresAt).toLocaleTimeString()}. ` : ''}
          {lockedError}
        </p>
      )}
      {error && <p class="error" data-testid="resource-error">{error}</p>}
      {status && !error && !conflict && <p class="ok-text small" data-testid="resource-status">{status}</p>}

      <textarea class="code" rows={16} spellcheck={false} value={text} readOnly={!canWrite || deleted}
        data-testid="resource-editor"
        onInput={(e) => { setText(e.currentTarget.value); setDirty(true); setStatus(null); }} />
      {jsonError && <p class="muted small" data-testid="resource-json-error">Not valid JSON: {jsonError}</p>}
      <div class="row">
        <button class="primary" disabled={!canWrite || busy || deleted || !!jsonError || !dirty} onClick={() => save()} data-testid="resource-save">
          Save
        </button>
        <button onClick={() => load()} disabled={busy} data-testid="resource-refresh" title="reload from the server (discards edits)">Reload</button>
        <span class="spacer" />
        {canWrite && !locked && <button onClick={lock} data-testid="resource-lock">Lock</button>}
        {canWrite && locked && lockedByMe && <button onClick={unlock} data-testid="resource-unlock">Unlock</button>}
        {canWrite && lockedByOther && <button onClick={refreshLock} data-testid="resource-lock-refresh">Check lock</button>}
        {canWrite && <button class="danger" onClick={remove} data-testid="resource-delete">Delete</button>}
      </div>
    </section>
  );
}
