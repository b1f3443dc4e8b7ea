// The session's resources: list (refreshed on resource.* events) and a create form.
import { useEffect, useState } from 'preact/hooks';
import type { Json, Resource } from '@actors/sdk';
import { errorMessage, rest } from '../shared/auth';
import { nameOf, useNames } from './names';
import { navigate, sessionHref } from './router';

export interface ResourcesPanelProps { sessionId: string; selected: string | null; canWrite: boolean; reloadTick: number }

export function ResourcesPanel({ sessionId, selected, canWrite, reloadTick }: ResourcesPanelProps) {
  useNames();
  const [items, setItems] = useState<Resource[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [creating, setCreating] = useState(false);

  useEffect(() => {
    let cancelled = false;
    rest.listResources(sessionId).then(
      (page) => { if (!cancelled) { setItems(page.items); setError(null); } },
      (err) => { if (!cancelled) { setError(errorMessage(err)); setItems((prev) => prev ?? []); } });
    return () => { cancelled = true; };
  }, [sessionId, reloadTick]);

  return (
    <section class="card">
      <div class="row">
        <h2>Resources <span class="muted small">({items?.length ?? 0})</span></h2>
        <span class="spacer" />
        {canWrite && !creating && <button onClick={() => setCreating(true)} data-testid="resource-new">New</button>}
      </div>
      {error && <p class="error" data-testid="resources-error">{error}</p>}
      {creating && <CreateResource sessionId={sessionId} onDone={() => setCreating(false)} />}
      {items === null ? <p class="muted">Loading…</p> : items.length === 0 ? <p class="muted">No resources yet.</p> : (
        <ul class="plain resources" data-testid="resource-list">
          {items.map((r) => (
            <li key={r.id} class={r.id === selected ? 'selected' : ''} data-testid="resource-item" data-resource-id={r.id} data-name={r.name}>
              <a href={sessionHref(sessionId, r.id)}>{r.name}</a>
              <span class="badge small">{r.kind}</span>
              <span class="muted small">v{r.version}</span>
              {r.lock && new Date(r.lock.expiresAt).getTime() > Date.now() && (
                <span class="muted small" title={`locked by ${nameOf(r.lock.lockedBy)}`}>🔒 {nameOf(r.lock.lockedBy)}</span>
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function CreateResource({ sessionId, onDone }: { sessionId: string; onDone: () => void }) {
  const [name, setName] = useState('');
  const [kind, setKind] = useState('doc');
  const [data, setData] = useState('{\n  \n}');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit(e: Event) {
    e.preventDefault();
    let parsed: Json;
    try {
      parsed = JSON.parse(data) as Json;
    } catch (err) {
      setError(`validation_failed: data is not valid JSON (${err instanceof Error ? err.message : String(err)})`);
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const created = await rest.createResource(sessionId, name.trim(), kind.trim(), parsed);
      onDone();
      navigate(sessionHref(sessionId, created.id));
    } catch (err) {
      setError(errorMessage(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="create-resource" onSubmit={submit} data-testid="resource-create">
      <label>
        Name
        <input required maxLength={200} value={name} data-testid="resource-create-name" onInput={(e) => setName(e.currentTarget.value)} />
      </label>
      <label>
        Kind <span class="small">(a-z, 0-9, . _ -)</span>
        <input required maxLength={64} pattern="[a-z0-9._\-]{1,64}" value={kind} data-testid="resource-create-kind"
          onInput={(e) => setKind(e.currentTarget.value)} />
      </label>
      <label>
        Data (JSON)
        <textarea class="code" rows={5} value={data} data-testid="resource-create-data" onInput={(e) => setData(e.currentTarget.value)} />
      </label>
      {error && <p class="error" data-testid="resource-create-error">{error}</p>}
      <div class="row">
        <button type="submit" class="primary" disabled={busy || !name.trim()} data-testid="resource-create-submit">Create</button>
        <button type="button" onClick={onDone}>Cancel</button>
      </div>
    </form>
  );
}
