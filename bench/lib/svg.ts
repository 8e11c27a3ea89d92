/**
 * The throughput chart for the README: requests/s against concurrency, one line per client.
 * Plain SVG text; no chart library is needed for four polylines and two axes.
 */

export interface Series {
  label: string;
  color: string;
  dash?: string;
  points: Array<{ x: number; y: number }>;
}

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function niceStep(max: number): number {
  const raw = max / 5;
  const power = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * power >= raw) return m * power;
  return 10 * power;
}

/**
 * Renders the chart. X positions are the concurrency levels, evenly spaced (they grow ×4–×8).
 * @example
 * ```ts
 * throughputSvg('title', [1, 8, 32, 128], [{ label: 'a', color: '#c00', points: [{ x: 1, y: 100 }] }]);
 * ```
 */
export function throughputSvg(title: string, subtitle: string, levels: readonly number[], series: readonly Series[]): string {
  const width = 720;
  const height = 420;
  const left = 70;
  const right = 250;
  const top = 56;
  const bottom = 56;
  const plotW = width - left - right;
  const plotH = height - top - bottom;
  const maxY = Math.max(1, ...series.flatMap((s) => s.points.map((p) => p.y)));
  const step = niceStep(maxY);
  const topY = Math.ceil(maxY / step) * step;
  const xOf = (level: number) => left + (levels.length === 1 ? plotW / 2 : (levels.indexOf(level) * plotW) / (levels.length - 1));
  const yOf = (value: number) => top + plotH - (value / topY) * plotH;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, -apple-system, Segoe UI, sans-serif" font-size="12">`);
  out.push(`<rect width="${width}" height="${height}" fill="#fff"/>`);
  out.push(`<text x="${left}" y="24" font-size="15" font-weight="600">${escape(title)}</text>`);
  out.push(`<text x="${left}" y="42" fill="#555">${escape(subtitle)}</text>`);
  for (let v = 0; v <= topY + step / 2; v += step) {
    const y = yOf(v).toFixed(1);
    out.push(`<line x1="${left}" x2="${left + plotW}" y1="${y}" y2="${y}" stroke="#e5e5e5"/>`);
    out.push(`<text x="${left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#555">${Math.round(v).toLocaleString('en-US')}</text>`);
  }
  for (const level of levels) {
    const x = xOf(level).toFixed(1);
    out.push(`<line x1="${x}" x2="${x}" y1="${top}" y2="${top + plotH}" stroke="#f0f0f0"/>`);
    out.push(`<text x="${x}" y="${top + plotH + 18}" text-anchor="middle" fill="#555">${level}</text>`);
  }
  out.push(`<text x="${left + plotW / 2}" y="${height - 14}" text-anchor="middle" fill="#333">concurrent requests</text>`);
  out.push(`<text transform="translate(18 ${top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#333">requests / s</text>`);
  out.push(`<line x1="${left}" x2="${left}" y1="${top}" y2="${top + plotH}" stroke="#999"/>`);
  out.push(`<line x1="${left}" x2="${left + plotW}" y1="${top + plotH}" y2="${top + plotH}" stroke="#999"/>`);
  series.forEach((s, i) => {
    const points = s.points.filter((p) => Number.isFinite(p.y)).map((p) => `${xOf(p.x).toFixed(1)},${yOf(p.y).toFixed(1)}`);
    const dash = s.dash ? ` stroke-dasharray="${s.dash}"` : '';
    out.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${s.color}" stroke-width="2.5"${dash}/>`);
    for (const p of points) {
      const [cx, cy] = p.split(',');
      out.push(`<circle cx="${cx}" cy="${cy}" r="3.5" fill="${s.color}"/>`);
    }
    const ly = top + 10 + i * 22;
    out.push(`<line x1="${left + plotW + 20}" x2="${left + plotW + 44}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2.5"${dash}/>`);
    out.push(`<text x="${left + plotW + 50}" y="${ly}" dominant-baseline="middle">${escape(s.label)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
