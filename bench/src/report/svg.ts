import { DATABASE_LABELS, DATABASES } from '../databases';
import type { BenchResults } from '../results';
import { PAGE_STATES, type PageStateId } from '../scenarios/page-states';
import { medianOf } from './figures';

const PANEL_WIDTH = 330;
const PANEL_GAP = 40;
const LEGEND_WIDTH = 300;
const HEIGHT = 460;
const MARGIN = { left: 70, top: 56, bottom: 50 };
const WIDTH = MARGIN.left + DATABASES.length * PANEL_WIDTH + (DATABASES.length - 1) * PANEL_GAP + 16 + LEGEND_WIDTH;

/** A colour per state, a dash per backend: memory solid, memcached dashed, Redis dash-dotted. */
const STYLE: Record<PageStateId, { color: string; dash?: string }> = {
  uncached: { color: '#d62728' },
  'uncached-batched': { color: '#ff7f0e', dash: '2 3' },
  'memory.full': { color: '#1f77b4' },
  'memory.vote': { color: '#2ca02c' },
  'memory.cold': { color: '#9467bd' },
  'memcached.full': { color: '#1f77b4', dash: '7 4' },
  'memcached.vote': { color: '#2ca02c', dash: '7 4' },
  'memcached.cold': { color: '#9467bd', dash: '7 4' },
  'redis.full': { color: '#1f77b4', dash: '9 3 2 3' },
  'redis.vote': { color: '#2ca02c', dash: '9 3 2 3' },
  'redis.cold': { color: '#9467bd', dash: '9 3 2 3' },
  django: { color: '#7f7f7f', dash: '2 3' },
};

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * page-time.svg: median page time against N, both axes logarithmic, one panel per
 * database (same scales) and one line per page state in each.
 */
export function renderPageTimeSvg(results: BenchResults): string {
  const sizes = results.pages.map((page) => page.n);
  const values = results.pages.flatMap((page) =>
    DATABASES.flatMap((database) => PAGE_STATES.map((state) => medianOf(page, database, state.id))),
  );
  const low = niceBelow(Math.min(...values));
  const high = niceAbove(Math.max(...values));
  const minN = Math.min(...sizes);
  const maxN = Math.max(...sizes);
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const panelLeft = (index: number) => MARGIN.left + index * (PANEL_WIDTH + PANEL_GAP);
  const xOf = (index: number, n: number) =>
    panelLeft(index) +
    (maxN === minN
      ? PANEL_WIDTH / 2
      : ((Math.log10(n) - Math.log10(minN)) / (Math.log10(maxN) - Math.log10(minN))) * PANEL_WIDTH);
  const yOf = (ms: number) =>
    MARGIN.top + plotHeight - ((Math.log10(ms) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * plotHeight;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="bold">Article page time against N comments (median, log–log)</text>`,
    `<text transform="translate(18 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">page time (ms)</text>`,
  );
  DATABASES.forEach((database, index) => {
    const left = panelLeft(index);
    for (const tick of ticksBetween(low, high)) {
      const y = yOf(tick).toFixed(1);
      parts.push(`<line x1="${left}" y1="${y}" x2="${left + PANEL_WIDTH}" y2="${y}" stroke="#ddd"/>`);
      if (index === 0) {
        parts.push(
          `<text x="${left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle">${formatMs(tick)}</text>`,
        );
      }
    }
    for (const n of sizes) {
      const xPos = xOf(index, n).toFixed(1);
      parts.push(
        `<line x1="${xPos}" y1="${MARGIN.top}" x2="${xPos}" y2="${MARGIN.top + plotHeight}" stroke="#eee"/>`,
        `<text x="${xPos}" y="${MARGIN.top + plotHeight + 18}" text-anchor="middle">${n}</text>`,
      );
    }
    parts.push(
      `<rect x="${left}" y="${MARGIN.top}" width="${PANEL_WIDTH}" height="${plotHeight}" fill="none" stroke="#333"/>`,
      `<text x="${left + PANEL_WIDTH / 2}" y="${MARGIN.top - 8}" text-anchor="middle" font-weight="bold">${escapeXml(DATABASE_LABELS[database])}</text>`,
      `<text x="${left + PANEL_WIDTH / 2}" y="${HEIGHT - 12}" text-anchor="middle">N (comment blocks on the page)</text>`,
    );
    for (const state of PAGE_STATES) {
      const { color, dash: pattern } = STYLE[state.id];
      const points = results.pages.map(
        (page) => `${xOf(index, page.n).toFixed(1)},${yOf(medianOf(page, database, state.id)).toFixed(1)}`,
      );
      const dash = pattern === undefined ? '' : ` stroke-dasharray="${pattern}"`;
      parts.push(`<polyline points="${points.join(' ')}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
      for (const point of points) {
        const [px, py] = point.split(',');
        parts.push(`<circle cx="${px}" cy="${py}" r="3" fill="${color}"/>`);
      }
    }
  });
  const legendX = panelLeft(DATABASES.length - 1) + PANEL_WIDTH + 16;
  PAGE_STATES.forEach((state, index) => {
    const { color, dash: pattern } = STYLE[state.id];
    const dash = pattern === undefined ? '' : ` stroke-dasharray="${pattern}"`;
    const legendY = MARGIN.top + 10 + index * 22;
    parts.push(
      `<line x1="${legendX}" y1="${legendY}" x2="${legendX + 24}" y2="${legendY}" stroke="${color}" stroke-width="2"${dash}/>`,
      `<text x="${legendX + 30}" y="${legendY}" dominant-baseline="middle">${escapeXml(state.label)}</text>`,
    );
  });
  parts.push(
    `<text x="${legendX}" y="${MARGIN.top + plotHeight}" fill="#555">${escapeXml(results.machine.date.slice(0, 10))}, ${escapeXml(results.machine.cpu)}</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}

const STEPS = [1, 2, 5];

/** The largest 1, 2 or 5 × 10^k at or below `value`. */
function niceBelow(value: number): number {
  const decade = 10 ** Math.floor(Math.log10(value));
  return (
    [...STEPS]
      .reverse()
      .map((step) => step * decade)
      .find((tick) => tick <= value) ?? decade
  );
}

/** The smallest 1, 2 or 5 × 10^k at or above `value`. */
function niceAbove(value: number): number {
  const decade = 10 ** Math.floor(Math.log10(value));
  return [...STEPS, 10].map((step) => step * decade).find((tick) => tick >= value) ?? decade * 10;
}

/** Grid values 1, 2, 5 × 10^k from `low` to `high`. */
function ticksBetween(low: number, high: number): number[] {
  const ticks: number[] = [];
  for (let decade = 10 ** Math.floor(Math.log10(low)); decade <= high; decade *= 10) {
    for (const step of STEPS) {
      const tick = Number((step * decade).toPrecision(6));
      if (tick >= low * 0.9999 && tick <= high * 1.0001) ticks.push(tick);
    }
  }
  return ticks;
}

function formatMs(ms: number): string {
  if (ms >= 1) return `${ms} ms`;
  return `${ms >= 0.1 ? ms.toFixed(1) : ms.toFixed(2)} ms`;
}
