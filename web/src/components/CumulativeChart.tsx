// Cumulative mg/kg against the target, drawn with uPlot. uPlot is loaded on demand, so
// the pages that do not chart anything never download it. The figure always carries a
// text summary, which is also what prints if the canvas cannot be drawn.
import { useEffect, useRef, useState } from 'preact/hooks';

export interface ChartPoint {
  day: number;
  value: number;
}

interface Props {
  points: ChartPoint[];
  target: number;
  summary: string;
}

export function CumulativeChart({ points, target, summary }: Props) {
  const box = useRef<HTMLDivElement>(null);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    const el = box.current;
    if (!el || points.length === 0) return;
    let disposed = false;
    let plot: { destroy(): void; setSize(s: { width: number; height: number }): void } | null = null;
    let observer: ResizeObserver | null = null;

    Promise.all([import('uplot'), import('uplot/dist/uPlot.min.css')])
      .then(([mod]) => {
        if (disposed) return;
        const UPlot = mod.default;
        const days = points.map((p) => p.day);
        const data: [number[], number[], number[]] = [days, points.map((p) => p.value), days.map(() => target)];
        const width = Math.max(280, el.clientWidth || 600);
        plot = new UPlot(
          {
            width,
            height: 280,
            scales: { x: { time: false } },
            legend: { live: false },
            axes: [
              { label: 'Day of course' },
              { label: 'Cumulative mg/kg', size: 60 },
            ],
            series: [
              { label: 'Day' },
              { label: 'Cumulative mg/kg', stroke: '#1f5f9e', width: 2 },
              { label: `Target ${target} mg/kg`, stroke: '#b34700', width: 2, dash: [6, 4] },
            ],
          },
          data,
          el,
        );
        if (typeof ResizeObserver !== 'undefined') {
          observer = new ResizeObserver(() => {
            plot?.setSize({ width: Math.max(280, el.clientWidth), height: 280 });
          });
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
  }, [points, target]);

  return (
    <figure class="chart">
      <div ref={box} class="chart__canvas" aria-hidden="true" />
      <figcaption>
        {summary}
        {failed && ' (The chart could not be drawn in this browser.)'}
      </figcaption>
    </figure>
  );
}
