// A chart over dates, drawn with uPlot (loaded on demand): one or more series, plus
// horizontal threshold lines (a lab's alert level, the cumulative target) and
// optional vertical markers (a projected date). The figure always carries a text
// summary and the data as a table, for screen readers and paper.
import { useEffect, useRef, useState } from 'preact/hooks';

export interface DatedPoint {
  date: string; // YYYY-MM-DD
  value: number;
}

export interface ChartSeries {
  label: string;
  points: DatedPoint[];
  colour?: string;
  dash?: number[];
}

export interface Threshold {
  label: string;
  value: number;
  colour?: string;
}

interface Props {
  title: string;
  yLabel: string;
  series: ChartSeries[];
  thresholds?: Threshold[];
  summary: string;
  height?: number;
  testId?: string;
}

const PALETTE = ['#1f5f9e', '#6b3fa0', '#0f7b61', '#9e5b1f', '#444c56'];

/** Seconds since the epoch at UTC midnight. */
export function dateSeconds(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / 1000;
}

/** Merges the series onto one sorted x axis (uPlot's aligned data), null where a
 * series has no point on that date. */
export function alignSeries(series: ChartSeries[], thresholds: Threshold[]): (number | null)[][] {
  const dataXs = Array.from(new Set(series.flatMap((s) => s.points.map((p) => dateSeconds(p.date))))).sort((a, b) => a - b);
  // Pad the date range on both sides (a week at least), so a single result is not
  // pinned to the edge and threshold lines run across the whole chart.
  const xs = [...dataXs];
  const lo = dataXs[0];
  const hi = dataXs[dataXs.length - 1];
  if (lo !== undefined && hi !== undefined) {
    const pad = Math.max(7 * 86400, Math.round((hi - lo) * 0.05));
    xs.unshift(lo - pad);
    xs.push(hi + pad);
  }
  const rows: (number | null)[][] = [xs];
  for (const s of series) {
    const byX = new Map(s.points.map((p) => [dateSeconds(p.date), p.value]));
    rows.push(xs.map((x) => byX.get(x) ?? null));
  }
  for (const t of thresholds) rows.push(xs.map(() => t.value));
  return rows;
}

export function TimeChart({ title, yLabel, series, thresholds = [], summary, height = 240, testId }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);
  const hasData = series.some((s) => s.points.length > 0);

  useEffect(() => {
    const el = box.current;
    if (!el || !hasData) return;
    let disposed = false;
    let plot: { destroy(): void; setSize(s: { width: number; height: number }): void } | null = null;
    let observer: ResizeObserver | null = null;
    Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')])
      .then(([mod]) => {
        if (disposed) return;
        const UPlot = mod.default;
        const data = alignSeries(series, thresholds);
        const width = Math.max(260, el.clientWidth || 560);
        plot = new UPlot(
          {
            width,
            height,
            scales: { x: { time: true } },
            legend: { live: false },
            axes: [{}, { label: yLabel, size: 60 }],
            series: [
              { label: 'Date' },
              ...series.map((s, i) => ({
                label: s.label,
                stroke: s.colour ?? PALETTE[i % PALETTE.length],
                width: 2,
                spanGaps: true,
                dash: s.dash,
                points: { show: true, size: 6 },
              })),
              ...thresholds.map((t) => ({
                label: t.label,
                stroke: t.colour ?? '#b00020',
                width: 1.5,
                dash: [6, 4],
                points: { show: false },
              })),
            ],
          },
          data as unknown as [number[], ...(number | null)[][]],
          el,
        );
        if (typeof ResizeObserver !== 'undefined') {
          observer = new ResizeObserver(() => plot?.setSize({ width: Math.max(260, el.clientWidth), height }));
          observer.observe(el);
        }
      })
      .catch(() => {
        if (!disposed) setFailed(true);
      });
    return () => {
      disposed = true;
      observer?.disconnect();
      plot?.destroy();
    };
  }, [series, thresholds, hasData, height, yLabel]);

  return (
    <figure class="chart" data-testid={testId}>
      <h3 class="chart__title">{title}</h3>
      {hasData && <div ref={box} class="chart__canvas" aria-hidden="true" />}
      <figcaption class={hasData ? undefined : 'message message--empty'}>
        {summary}
        {failed && ' (The chart could not be drawn in this browser.)'}
      </figcaption>
      {hasData && (
        <details class="chart__data no-print">
          <summary>Show the numbers</summary>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Date</th>
                  <th scope="col">Series</th>
                  <th scope="col">{yLabel}</th>
                </tr>
              </thead>
              <tbody>
                {series.flatMap((s) =>
                  s.points.map((p) => (
                    <tr key={`${s.label}-${p.date}-${p.value}`}>
                      <td>{p.date}</td>
                      <td>{s.label}</td>
                      <td>{p.value}</td>
                    </tr>
                  )),
                )}
              </tbody>
            </table>
          </div>
        </details>
      )}
    </figure>
  );
}
