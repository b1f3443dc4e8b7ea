// A uPlot time series of the dashboard history (the last 5 minutes). uPlot draws on a canvas and
// sets its element sizes through the DOM, which the CSP allows.
import uPlot from 'uplot';
import { useEffect, useRef } from 'preact/hooks';
import type { DashboardPoint } from './types';

export interface ChartSeries {
  label: string;
  stroke: string;
  fill?: string;
  value: (point: DashboardPoint) => number;
}

export interface ChartProps {
  testId: string;
  title: string;
  points: DashboardPoint[];
  series: ChartSeries[];
  format: (value: number) => string;
  /** The y axis goes at least this high (so an idle cluster does not draw noise full-height). */
  minMax?: number;
}

const windowSeconds = 300;
const height = 170;

function toData(points: DashboardPoint[], series: ChartSeries[]): uPlot.AlignedData {
  const xs = points.map((p) => Date.parse(p.at) / 1000);
  return [xs, ...series.map((s) => points.map((p) => s.value(p)))];
}

export function TimeChart({ testId, title, points, series, format, minMax = 1 }: ChartProps) {
  const host = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The options are built once; keep the latest props reachable from uPlot's callbacks.
  const latest = useRef({ points, series, format, minMax });
  latest.current = { points, series, format, minMax };

  useEffect(() => {
    const el = host.current!;
    const width = () => Math.max(240, el.clientWidth);
    const opts: uPlot.Options = {
      width: width(),
      height,
      cursor: { drag: { x: false, y: false } },
      legend: { show: true, live: true },
      scales: {
        x: {
          time: true,
          range: (u) => {
            const xs = u.data[0];
            const newest = xs.length > 0 ? xs[xs.length - 1]! : Date.now() / 1000;
            return [newest - windowSeconds, newest];
          },
        },
        y: {
          range: (_u, _min, max) => [0, Math.max(latest.current.minMax, (max ?? 0) * 1.15)],
        },
      },
      series: [
        { label: 'time', value: (_u, v) => (v === null || v === undefined ? '—' : new Date(v * 1000).toLocaleTimeString([], { hour12: false })) },
        ...series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          fill: s.fill,
          width: 1.5,
          points: { show: false },
          value: (_u: uPlot, v: number | null) => (v === null || v === undefined ? '—' : latest.current.format(v)),
        })),
      ],
      axes: [
        { stroke: '#8a94a6', grid: { stroke: 'rgba(138,148,166,0.15)' }, ticks: { stroke: 'rgba(138,148,166,0.3)' } },
        {
          stroke: '#8a94a6',
          size: 64,
          grid: { stroke: 'rgba(138,148,166,0.15)' },
          ticks: { stroke: 'rgba(138,148,166,0.3)' },
          values: (_u, values) => values.map((v) => latest.current.format(v)),
        },
      ],
    };
    const u = new uPlot(opts, toData(points, series), el);
    plot.current = u;
    let lastWidth = width();
    const observer = new ResizeObserver(() => {
      const w = width();
      if (w !== lastWidth) {
        lastWidth = w;
        u.setSize({ width: w, height });
      }
    });
    observer.observe(el);
    return () => {
      observer.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, []);

  useEffect(() => {
    const u = plot.current;
    if (!u) return;
    u.setData(toData(points, series));
    // Without a hovering cursor the legend shows the newest values.
    const hovering = u.cursor.left !== undefined && u.cursor.left >= 0;
    if (!hovering && points.length > 0) u.setLegend({ idx: points.length - 1 });
  }, [points]);

  return (
    <section class="card chart-card">
      <h3>{title}</h3>
      <div ref={host} class="chart" data-testid={testId} data-points={points.length} />
    </section>
  );
}
