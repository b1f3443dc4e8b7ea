// The silos of the cluster, live, with a confirmed "Drain" action.
import { useState } from 'preact/hooks';
import { describeError, drainSilo } from './admin';
import { formatBytes, formatCount, formatDuration, formatPercent } from './format';
import type { SiloRow } from './types';

type DrainOutcome = { address: string; ok: boolean; message: string };

function statusClass(status: string): string {
  switch (status.toLowerCase()) {
    case 'active': return 'status status-ok';
    case 'joining': case 'created': return 'status status-info';
    case 'shuttingdown': case 'stopping': return 'status status-warn';
    default: return 'status status-bad';
  }
}

function ByType({ counts }: { counts: Record<string, number> }) {
  const entries = Object.entries(counts).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (entries.length === 0) return <span class="muted">none</span>;
  return (
    <ul class="by-type">
      {entries.map(([type, n]) => <li key={type}><span class="mono">{type}</span> <b>{formatCount(n)}</b></li>)}
    </ul>
  );
}

export function Silos({ silos }: { silos: SiloRow[] | undefined }) {
  const [confirming, setConfirming] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [outcome, setOutcome] = useState<DrainOutcome | null>(null);

  if (!silos) return <p class="muted">Waiting for the first sample…</p>;
  const active = silos.filter((s) => s.status.toLowerCase() === 'active').length;

  const drain = async (address: string) => {
    setConfirming(null);
    setBusy(address);
    setOutcome(null);
    try {
      const result = await drainSilo(address);
      setOutcome({ address, ok: true, message: `${result.address} is ${result.status}: it hands off its grains and leaves the cluster.` });
    } catch (error) {
      setOutcome({ address, ok: false, message: `Could not drain ${address}: ${describeError(error)}` });
    } finally {
      setBusy(null);
    }
  };

  return (
    <section class="card">
      <h2>Silos <span class="muted">({active} active of {silos.length})</span></h2>
      {outcome && (
        <p class={outcome.ok ? 'notice' : 'error'} role={outcome.ok ? 'status' : 'alert'}
          data-testid={outcome.ok ? 'silo-drain-result' : 'silo-drain-error'}>{outcome.message}</p>
      )}
      <table class="grid" data-testid="silos-table">
        <thead>
          <tr>
            <th>Status</th><th>Address</th><th>Name</th><th class="num">Uptime</th><th class="num">CPU</th>
            <th class="num">Memory</th><th class="num">Activations</th><th>Per grain type</th><th />
          </tr>
        </thead>
        <tbody>
          {silos.length === 0 && <tr><td colSpan={9} class="muted">No silos.</td></tr>}
          {silos.map((s) => (
            <tr key={s.address} data-testid="silo-row" data-address={s.address} data-status={s.status}>
              <td><span class={statusClass(s.status)}>{s.status}</span>{!s.answered && <span class="status status-warn" title="The silo did not answer the statistics call">no answer</span>}</td>
              <td class="mono">{s.address}</td>
              <td>{s.name}</td>
              <td class="num">{formatDuration(s.uptimeSeconds)}</td>
              <td class="num">{formatPercent(s.cpuPercent)}</td>
              <td class="num">{formatBytes(s.memoryBytes)}</td>
              <td class="num" data-testid="silo-activations">{formatCount(s.activations)}</td>
              <td><ByType counts={s.activationsByType ?? {}} /></td>
              <td class="actions">
                {confirming === s.address ? (
                  <span class="confirm" data-testid="silo-drain-confirm">
                    Drain {s.name || s.address}?{' '}
                    <button type="button" class="danger small" onClick={() => drain(s.address)} data-testid="silo-drain-yes">Drain</button>{' '}
                    <button type="button" class="small" onClick={() => setConfirming(null)} data-testid="silo-drain-cancel">Cancel</button>
                  </span>
                ) : (
                  <button type="button" class="small" disabled={busy !== null || s.status.toLowerCase() !== 'active'}
                    title={s.status.toLowerCase() === 'active' ? 'Stop this silo gracefully: it hands off its grains and leaves the membership' : 'Only active silos can be drained'}
                    onClick={() => { setConfirming(s.address); setOutcome(null); }} data-testid="silo-drain">
                    {busy === s.address ? 'Draining…' : 'Drain'}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
