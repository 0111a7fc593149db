// One uPlot time chart that fills its container's width and follows its size.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

export function Chart(props: { title: string; times: number[]; series: ChartSeries[]; locale: string; height?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const height = props.height ?? 200;
  const data = (): uPlot.AlignedData => [props.times.map((t) => t / 1000), ...props.series.map((s) => s.values)];
  const shape = props.series.map((s) => s.label).join('|') + props.locale;
  // Times on the axis in the reader's language, 24-hour (no "am/pm" in a Hindi page).
  const clock = new Intl.DateTimeFormat(props.locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });

  useEffect(() => {
    const el = box.current!;
    const u = new uPlot(
      {
        width: Math.max(200, el.clientWidth),
        height,
        legend: { show: true, live: false },
        cursor: { drag: { x: false, y: false } },
        scales: { y: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
        axes: [
          { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.15)' }, values: (_u, splits) => splits.map((s) => clock.format(new Date(s * 1000))) },
          { stroke: 'currentColor', grid: { stroke: 'rgba(128,128,128,.15)' }, size: 40 },
        ],
        series: [
          {},
          ...props.series.map((s) => ({
            label: s.label,
            stroke: s.color,
            width: 2,
            fill: s.color + '22',
            points: { show: false },
          })),
        ],
      },
      data(),
      el,
    );
    plot.current = u;
    const resized = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    resized.observe(el);
    return () => {
      resized.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData(data());
  }, [props.times, props.series]);

  return (
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div ref={box} class="plot" role="img" aria-label={props.title} />
    </figure>
  );
}
