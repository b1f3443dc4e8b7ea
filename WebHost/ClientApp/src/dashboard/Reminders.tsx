// Durable reminders (GET /api/admin/reminders): loaded on open, refreshed every 5 s while open, and on demand.
import { useEffect, useState } from 'preact/hooks';
import { describeError, getReminders } from './admin';
import { formatDateTime, formatDuration } from './format';
import type { ReminderList } from './types';

const refreshMs = 5000;

export function Reminders() {
  const [limit, setLimit] = useState(200);
  const [data, setData] = useState<ReminderList | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [filter, setFilter] = useState('');

  const load = async (n = limit, quiet = false) => {
    if (!quiet) setLoading(true);
    try {
      setData(await getReminders(n));
      setError(null);
    } catch (e) {
      setError(describeError(e));
    } finally {
      if (!quiet) setLoading(false);
    }
  };

  // Loaded on open, then refreshed quietly every few seconds while this view is open.
  useEffect(() => { void load(); }, []);
  useEffect(() => {
    const timer = setInterval(() => { void load(limit, true); }, refreshMs);
    return () => clearInterval(timer);
  }, [limit]);

  const needle = filter.trim().toLowerCase();
  const items = (data?.items ?? []).filter((r) =>
    !needle || `${r.grainType} ${r.grainKey} ${r.name}`.toLowerCase().includes(needle));

  return (
    <section class="card">
      <div class="toolbar">
        <h2>Reminders</h2>
        <input type="search" placeholder="Filter" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} data-testid="reminders-filter" />
        <label class="inline">
          Limit
          <select value={String(limit)} onChange={(e) => { const n = Number(e.currentTarget.value); setLimit(n); void load(n); }}>
            {[50, 200, 1000].map((n) => <option key={n} value={String(n)}>{n}</option>)}
          </select>
        </label>
        <button type="button" onClick={() => load()} disabled={loading} data-testid="reminders-refresh">{loading ? 'Loading…' : 'Refresh'}</button>
      </div>
      {error && <p class="error" role="alert" data-testid="reminders-error">{error}</p>}
      {data?.truncated && <p class="notice">Showing the first {data.items.length} reminders; there are more.</p>}
      <table class="grid" data-testid="reminders-table">
        <thead>
          <tr><th>Grain type</th><th>Key</th><th>Name</th><th>Starts / started</th><th class="num">Period</th></tr>
        </thead>
        <tbody>
          {data && items.length === 0 && <tr><td colSpan={5} class="muted" data-testid="reminders-empty">No reminders.</td></tr>}
          {items.map((r) => (
            <tr key={`${r.grainType}/${r.grainKey}/${r.name}`} data-testid="reminder-row">
              <td class="mono">{r.grainType}</td>
              <td class="mono">{r.grainKey}</td>
              <td>{r.name}</td>
              <td>{formatDateTime(r.startAt)}</td>
              <td class="num">{formatDuration(r.periodSeconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
