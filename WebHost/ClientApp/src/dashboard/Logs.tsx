// Recent warnings and errors from every silo and this node, newest first, live.
import { useState } from 'preact/hooks';
import { formatDateTime, formatTime } from './format';
import { logKey } from './feed';
import type { LogEntry } from './types';

type LevelFilter = 'all' | 'errors';

export function Logs({ logs }: { logs: LogEntry[] }) {
  const [level, setLevel] = useState<LevelFilter>('all');
  const [filter, setFilter] = useState('');
  const needle = filter.trim().toLowerCase();
  const shown = logs.filter((e) =>
    (level === 'all' || e.level !== 'Warning')
    && (!needle || `${e.source} ${e.category} ${e.message} ${e.exception ?? ''}`.toLowerCase().includes(needle)));

  return (
    <section class="card">
      <div class="toolbar">
        <h2>Logs <span class="muted">warnings and errors, newest first</span></h2>
        <input type="search" placeholder="Filter" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} />
        <select value={level} onChange={(e) => setLevel(e.currentTarget.value as LevelFilter)} data-testid="logs-level">
          <option value="all">Warnings and errors</option>
          <option value="errors">Errors only</option>
        </select>
      </div>
      {shown.length === 0 && <p class="muted" data-testid="logs-empty">{logs.length === 0 ? 'Nothing logged — all quiet.' : 'Nothing matches the filter.'}</p>}
      <ol class="logs" data-testid="logs-list">
        {shown.map((e) => (
          <li key={logKey(e)} class={`log level-${e.level.toLowerCase()}`} data-testid="log-entry" data-level={e.level}>
            <div class="log-head">
              <time dateTime={e.at} title={formatDateTime(e.at)}>{formatTime(e.at)}</time>
              <span class="level">{e.level}</span>
              <span class="mono source">{e.source}</span>
              <span class="mono category">{e.category}{e.eventId ? ` [${e.eventId}]` : ''}</span>
            </div>
            <div class="log-message">{e.message}</div>
            {e.exception && <div class="log-exception mono">{e.exception}</div>}
          </li>
        ))}
      </ol>
    </section>
  );
}
