// Inspect a grain: its persisted state as stored (read-only), and a "Deactivate" action.
import { useEffect, useState } from 'preact/hooks';
import { deactivateGrain, describeError, getGrainState } from './admin';
import type { DeactivateResult, GrainStateResult } from './types';

export function GrainState({ grainTypes, initialType }: { grainTypes: string[]; initialType: string }) {
  const [grainType, setGrainType] = useState(initialType);
  const [key, setKey] = useState('');
  const [state, setState] = useState<GrainStateResult | null>(null);
  const [deactivation, setDeactivation] = useState<DeactivateResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'load' | 'deactivate' | null>(null);

  useEffect(() => { if (initialType) setGrainType(initialType); }, [initialType]);

  const valid = grainType.trim() !== '' && key.trim() !== '';

  const load = async (e?: Event) => {
    e?.preventDefault();
    if (!valid) return;
    setBusy('load');
    setError(null);
    setDeactivation(null);
    try {
      setState(await getGrainState(grainType.trim(), key.trim()));
    } catch (err) {
      setState(null);
      setError(describeError(err));
    } finally {
      setBusy(null);
    }
  };

  const deactivate = async () => {
    if (!valid) return;
    setBusy('deactivate');
    setError(null);
    try {
      setDeactivation(await deactivateGrain(grainType.trim(), key.trim()));
    } catch (err) {
      setDeactivation(null);
      setError(describeError(err));
    } finally {
      setBusy(null);
    }
  };

  return (
    <div class="stack">
      <section class="card">
        <h2>Grain state</h2>
        <form class="grain-form" onSubmit={load}>
          <label>
            Grain type
            <input type="text" list="dash-grain-types" required value={grainType} spellcheck={false}
              onInput={(e) => setGrainType(e.currentTarget.value)} data-testid="grain-state-type" />
            <datalist id="dash-grain-types">
              {grainTypes.map((t) => <option key={t} value={t} />)}
            </datalist>
          </label>
          <label class="grow">
            Key
            <input type="text" required value={key} spellcheck={false}
              onInput={(e) => setKey(e.currentTarget.value)} data-testid="grain-state-key" />
          </label>
          <button type="submit" class="primary" disabled={!valid || busy !== null} data-testid="grain-state-load">
            {busy === 'load' ? 'Loading…' : 'Show state'}
          </button>
          <button type="button" class="danger" disabled={!valid || busy !== null} onClick={deactivate}
            title="Deactivate the grain's activation (its state stays stored; the next call activates it again)"
            data-testid="grain-deactivate">
            {busy === 'deactivate' ? 'Deactivating…' : 'Deactivate'}
          </button>
        </form>
        {error && <p class="error" role="alert" data-testid="grain-state-error">{error}</p>}
        {deactivation && (
          <p class="notice" role="status" data-testid="grain-deactivate-result">
            {deactivation.deactivated
              ? `Deactivated ${deactivation.grainType}/${deactivation.key}${deactivation.silo ? ` on ${deactivation.silo}` : ''}.`
              : `${deactivation.grainType}/${deactivation.key} had no activation: nothing to deactivate.`}
          </p>
        )}
      </section>
      {state && (
        <section class="card" data-testid="grain-state">
          <h3 class="mono">{state.grainType}/{state.key}</h3>
          {state.states.length === 0 && <p class="muted">This grain type keeps no persisted state.</p>}
          {state.states.map((s) => (
            <div class="state-entry" key={s.name}>
              <dl class="meta">
                <dt>State</dt><dd class="mono">{s.name}</dd>
                <dt>Storage</dt><dd class="mono">{s.storage}</dd>
                <dt>Stored</dt><dd>{s.exists ? 'yes' : 'no (never written)'}</dd>
                <dt>ETag</dt><dd class="mono">{s.eTag ?? '—'}</dd>
                <dt>Schema version</dt><dd>{s.schemaVersion ?? '—'}</dd>
              </dl>
              {s.json === null
                ? <p class="muted" data-testid="grain-state-none">No stored record.</p>
                : <pre class="json" data-testid="grain-state-json">{pretty(s.json)}</pre>}
            </div>
          ))}
        </section>
      )}
    </div>
  );
}

/** The stored document, indented; as stored when it is not JSON. */
function pretty(json: string): string {
  try {
    return JSON.stringify(JSON.parse(json), null, 2);
  } catch {
    return json;
  }
}
