// Vega-Lite spec → static SVG, in Node: compile to Vega, run a headless View (renderer
// 'none': no canvas, no DOM) and serialise its scenegraph. The page embeds the result inline,
// so it needs neither scripts nor network. vega is imported on first use: it costs about
// 0.3 s to load, which commands that draw nothing should not pay.
import type { TopLevelSpec } from 'vega-lite';

export interface RenderedSvg {
  svg: string;
  /** What Vega-Lite or Vega warned about (a field dropped, a bad encoding): a spec bug. */
  warnings: string[];
}

/** The logger shape Vega and Vega-Lite accept (vega-util's LoggerInterface). */
interface Logger {
  level(_?: number): number | Logger;
  error(...args: unknown[]): Logger;
  warn(...args: unknown[]): Logger;
  info(...args: unknown[]): Logger;
  debug(...args: unknown[]): Logger;
}

/** A logger that keeps warnings and errors instead of printing them to the console. */
function collectingLogger(into: string[]): Logger {
  const logger: Logger = {
    level: () => logger,
    error: (...args: unknown[]) => (into.push(args.map(String).join(' ')), logger),
    warn: (...args: unknown[]) => (into.push(args.map(String).join(' ')), logger),
    info: () => logger,
    debug: () => logger,
  };
  return logger;
}

/**
 * Vega numbers clip paths and gradients from a process-wide counter, so two charts in one page
 * (or one chart rendered in two processes) could share or shift ids. Every id and reference is
 * renamed to `<prefix>-<n>` in order of appearance: unique in the page and the same every time.
 */
export function namespaceIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\sid="([^"]+)"/g)) if (!ids.has(m[1]!)) ids.set(m[1]!, `${prefix}-${ids.size + 1}`);
  if (ids.size === 0) return svg;
  return svg.replace(/(\sid="|url\(#|href="#)([^")]+)/g, (whole, lead: string, id: string) => {
    const renamed = ids.get(id);
    return renamed === undefined ? whole : `${lead}${renamed}`;
  });
}

export async function renderSvg(spec: TopLevelSpec, idPrefix: string): Promise<RenderedSvg> {
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const warnings: string[] = [];
  const logger = collectingLogger(warnings);
  const compiled = vegaLite.compile(spec, { logger }).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logger });
  try {
    const svg = await view.toSVG();
    return { svg: namespaceIds(svg, idPrefix), warnings };
  } finally {
    view.finalize();
  }
}
