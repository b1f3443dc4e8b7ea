// Grain types (activations, rates, latency) and the busiest methods, from the latest snapshot.
import { useState } from 'preact/hooks';
import { formatCount, formatMs, formatRate } from './format';
import type { GrainTypeRow, MethodRow } from './types';

type SortKey = 'grainType' | 'activations' | 'callsPerSecond' | 'errorsPerSecond' | 'meanMs' | 'p99Ms' | 'totalCalls';

const columns: { key: SortKey; label: string; numeric: boolean }[] = [
  { key: 'grainType', label: 'Grain type', numeric: false },
  { key: 'activations', label: 'Activations', numeric: true },
  { key: 'callsPerSecond', label: 'Calls/s', numeric: true },
  { key: 'errorsPerSecond', label: 'Errors/s', numeric: true },
  { key: 'meanMs', label: 'Mean', numeric: true },
  { key: 'p99Ms', label: 'p99', numeric: true },
  { key: 'totalCalls', label: 'Calls (total)', numeric: true },
];

function sortRows(rows: GrainTypeRow[], key: SortKey): GrainTypeRow[] {
  const copy = [...rows];
  if (key === 'grainType') return copy.sort((a, b) => a.grainType.localeCompare(b.grainType));
  return copy.sort((a, b) => (b[key] as number) - (a[key] as number) || a.grainType.localeCompare(b.grainType));
}

export function Grains({ grainTypes, methods, onInspect }: {
  grainTypes: GrainTypeRow[] | undefined;
  methods: MethodRow[] | undefined;
  onInspect: (grainType: string) => void;
}) {
  const [sort, setSort] = useState<SortKey>('grainType');
  if (!grainTypes || !methods) return <p class="muted">Waiting for the first sample…</p>;
  const rows = sortRows(grainTypes, sort);
  return (
    <div class="stack">
      <section class="card">
        <h2>Grain types</h2>
        <table class="grid" data-testid="grain-types-table">
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.key} class={`${c.numeric ? 'num' : ''} sortable${sort === c.key ? ' sorted' : ''}`}
                  onClick={() => setSort(c.key)} title="Sort">{c.label}</th>
              ))}
              <th />
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 && <tr><td colSpan={columns.length + 1} class="muted">No grain activity yet.</td></tr>}
            {rows.map((r) => (
              <tr key={r.grainType} data-testid="grain-type-row" data-grain-type={r.grainType}>
                <td class="mono">{r.grainType}</td>
                <td class="num">{formatCount(r.activations)}</td>
                <td class="num">{formatRate(r.callsPerSecond)}</td>
                <td class={`num${r.errorsPerSecond > 0 ? ' bad' : ''}`}>{formatRate(r.errorsPerSecond)}</td>
                <td class="num">{idle(r) ? '—' : formatMs(r.meanMs)}</td>
                <td class="num">{idle(r) ? '—' : formatMs(r.p99Ms)}</td>
                <td class="num">{formatCount(r.totalCalls)}{r.totalErrors > 0 && <span class="bad"> ({formatCount(r.totalErrors)} failed)</span>}</td>
                <td><button type="button" class="small" onClick={() => onInspect(r.grainType)}>State…</button></td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      <section class="card">
        <h2>Top methods</h2>
        <table class="grid" data-testid="methods-table">
          <thead>
            <tr>
              <th>Method</th><th>Grain type</th><th class="num">Calls/s</th><th class="num">Errors/s</th>
              <th class="num">Mean</th><th class="num">p99</th><th class="num">Calls (total)</th>
            </tr>
          </thead>
          <tbody>
            {methods.length === 0 && <tr><td colSpan={7} class="muted">No calls yet.</td></tr>}
            {methods.map((m) => (
              <tr key={`${m.grainType}/${m.interface}/${m.method}`} data-testid="method-row">
                <td class="mono" title={m.interface}>{shortName(m.interface)}.{m.method}</td>
                <td class="mono">{m.grainType}</td>
                <td class="num">{formatRate(m.callsPerSecond)}</td>
                <td class={`num${m.errorsPerSecond > 0 ? ' bad' : ''}`}>{formatRate(m.errorsPerSecond)}</td>
                <td class="num">{idle(m) ? '—' : formatMs(m.meanMs)}</td>
                <td class="num">{idle(m) ? '—' : formatMs(m.p99Ms)}</td>
                <td class="num">{formatCount(m.totalCalls)}{m.totalErrors > 0 && <span class="bad"> ({formatCount(m.totalErrors)} failed)</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  );
}

/** No calls completed in the last interval: there is no latency to show. */
function idle(row: { callsPerSecond: number; errorsPerSecond: number }): boolean {
  return row.callsPerSecond === 0 && row.errorsPerSecond === 0;
}

/** "Actors.Grains.ISessionGrain" → "ISessionGrain". */
function shortName(name: string): string {
  const i = name.lastIndexOf('.');
  return i >= 0 ? name.slice(i + 1) : name;
}
