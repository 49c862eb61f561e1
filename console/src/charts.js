// Small SVG charts that need no library: bars for per-block counts and amounts, a line for
// values over blocks. Each is an image with a text alternative and, for screen readers
// and people who prefer numbers, a table of the same points.
import { html, svg, nothing } from 'lit-html';

const W = 640;
const H = 160;
const PAD = { left: 64, right: 8, top: 10, bottom: 22 };

/**
 * Bars: `points` [{ x (block number), y (number) }] oldest first; `format(y)` labels the
 * tooltips and the table, `axisFormat(y)` the axis (default `format`). `summary` is the sentence a screen reader hears.
 */
export function barChart ({ title, points, format = String, axisFormat = format, summary }) {
  if (points.length === 0) return html`<p class="empty">No blocks yet.</p>`;
  const max = Math.max(1, ...points.map((p) => p.y));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const step = innerW / points.length;
  const bar = Math.max(1, step - 1);
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${summary ?? title} preserveAspectRatio="none">
      ${axis(max, axisFormat, innerH)}
      ${points.map((p, i) => {
        const h = (p.y / max) * innerH;
        return svg`<rect class="bar" x=${PAD.left + i * step} y=${PAD.top + innerH - h} width=${bar} height=${Math.max(h, p.y > 0 ? 1 : 0)}>
          <title>#${p.x}: ${format(p.y)}</title></rect>`;
      })}
      ${xLabels(points, (i) => PAD.left + i * step + bar / 2)}
    </svg>
    ${dataTable(title, points, format)}
  </figure>`;
}

/** A line of `points` [{ x, y }] over x; `yMax` fixes the axis (e.g. 1,000,000 ppm). */
export function lineChart ({ title, points, format = String, axisFormat = format, summary, yMax }) {
  if (points.length === 0) return html`<p class="empty">No samples yet.</p>`;
  const max = yMax ?? Math.max(1, ...points.map((p) => p.y));
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const x0 = points[0].x;
  const span = Math.max(1, points[points.length - 1].x - x0);
  const xOf = (p) => PAD.left + ((p.x - x0) / span) * innerW;
  const yOf = (p) => PAD.top + innerH - (p.y / max) * innerH;
  const path = points.map((p, i) => `${i ? 'L' : 'M'}${xOf(p).toFixed(1)},${yOf(p).toFixed(1)}`).join(' ');
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <svg viewBox="0 0 ${W} ${H}" role="img" aria-label=${summary ?? title} preserveAspectRatio="none">
      ${axis(max, axisFormat, innerH)}
      <path class="line" d=${path}></path>
      ${points.map((p) => svg`<circle class="dot" cx=${xOf(p)} cy=${yOf(p)} r="3"><title>#${p.x}: ${format(p.y)}</title></circle>`)}
      ${xLabels(points, (i) => xOf(points[i]))}
    </svg>
    ${dataTable(title, points, format)}
  </figure>`;
}

function axis (max, format, innerH) {
  return svg`
    <line class="axis" x1=${PAD.left} y1=${PAD.top + innerH} x2=${W - PAD.right} y2=${PAD.top + innerH}></line>
    <text class="tick" x=${PAD.left - 4} y=${PAD.top + 8} text-anchor="end">${format(max)}</text>
    <text class="tick" x=${PAD.left - 4} y=${PAD.top + innerH} text-anchor="end">0</text>`;
}

function xLabels (points, xAt) {
  const last = points.length - 1;
  const picks = last === 0 ? [0] : [0, Math.floor(last / 2), last];
  return picks.map((i) => svg`<text class="tick" x=${xAt(i)} y=${H - 6} text-anchor="middle">#${points[i].x}</text>`);
}

function dataTable (title, points, format) {
  if (points.length === 0) return nothing;
  return html`<details class="chart-data"><summary>Data</summary>
    <table><caption class="sr-only">${title}</caption>
      <thead><tr><th scope="col">Block</th><th scope="col">Value</th></tr></thead>
      <tbody>${points.slice(-50).map((p) => html`<tr><td>#${p.x}</td><td>${format(p.y)}</td></tr>`)}</tbody>
    </table></details>`;
}
