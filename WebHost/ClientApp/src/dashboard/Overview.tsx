// Tiles with the latest sample and charts of the last 5 minutes.
import { TimeChart, type ChartSeries } from './Chart';
import { formatCount, formatMs, formatRate, formatRatio } from './format';
import type { DashboardPoint } from './types';

interface TileProps {
  testId: string;
  label: string;
  value: number | undefined;
  format: (v: number | undefined) => string;
  tone?: 'bad' | undefined;
}

function Tile({ testId, label, value, format, tone }: TileProps) {
  return (
    <div class={`tile${tone ? ` tile-${tone}` : ''}`}>
      <div class="tile-label">{label}</div>
      <div class="tile-value" data-testid={testId} data-value={value ?? ''}>{format(value)}</div>
    </div>
  );
}

const callsSeries: ChartSeries[] = [
  { label: 'calls/s', stroke: '#4f9cf9', fill: 'rgba(79,156,249,0.12)', value: (p) => p.callsPerSecond },
];
const latencySeries: ChartSeries[] = [
  { label: 'mean', stroke: '#3ecf8e', value: (p) => p.meanMs },
  { label: 'p99', stroke: '#f5a524', value: (p) => p.p99Ms },
];
const activationSeries: ChartSeries[] = [
  { label: 'activations', stroke: '#a78bfa', fill: 'rgba(167,139,250,0.12)', value: (p) => p.activations },
];
const errorSeries: ChartSeries[] = [
  { label: 'error rate', stroke: '#f25f5c', fill: 'rgba(242,95,92,0.12)', value: (p) => p.errorRate * 100 },
];

const percentAxis = (v: number) => `${v < 10 ? v.toFixed(1) : v.toFixed(0)} %`;
const msAxis = (v: number) => (v >= 1000 ? `${(v / 1000).toFixed(1)} s` : v < 10 ? `${v.toFixed(1)} ms` : `${v.toFixed(0)} ms`);
const countAxis = (v: number) => (v >= 10_000 ? `${(v / 1000).toFixed(0)}k` : v < 10 && v % 1 !== 0 ? v.toFixed(1) : v.toFixed(0));

export function Overview({ history, latest }: { history: DashboardPoint[]; latest: DashboardPoint | undefined }) {
  const errorTone = latest && latest.errorRate > 0.01 ? 'bad' : undefined;
  return (
    <div class="overview">
      <div class="tiles">
        <Tile testId="dash-silos-count" label="Silos" value={latest?.silos} format={formatCount} />
        <Tile testId="dash-activations" label="Activations" value={latest?.activations} format={formatCount} />
        <Tile testId="dash-calls-per-second" label="Calls/s" value={latest?.callsPerSecond} format={formatRate} />
        <Tile testId="dash-mean-ms" label="Mean latency" value={latest?.meanMs} format={formatMs} />
        <Tile testId="dash-p99-ms" label="p99 latency" value={latest?.p99Ms} format={formatMs} />
        <Tile testId="dash-error-rate" label="Error rate" value={latest?.errorRate} format={formatRatio} tone={errorTone} />
        <Tile testId="dash-connections" label="Connections" value={latest?.connections} format={formatCount} />
        <Tile testId="dash-open-sessions" label="Open sessions" value={latest?.openSessions} format={formatCount} />
      </div>
      <div class="charts">
        <TimeChart testId="calls-chart" title="Calls per second" points={history} series={callsSeries} format={countAxis} minMax={5} />
        <TimeChart testId="latency-chart" title="Latency (mean and p99)" points={history} series={latencySeries} format={msAxis} minMax={1} />
        <TimeChart testId="activations-chart" title="Activations" points={history} series={activationSeries} format={countAxis} minMax={5} />
        <TimeChart testId="errors-chart" title="Error rate" points={history} series={errorSeries} format={percentAxis} minMax={1} />
      </div>
    </div>
  );
}
