import { stringify } from 'csv-stringify/sync';
import type { FastifyInstance, FastifyReply } from 'fastify';

/**
 * The one CSV writer. Every file the system hands out goes through it, because cells hold text
 * sent by anyone on the internet (event names, campaign tags, form answers) and spreadsheets
 * run a cell that looks like a formula (`=HYPERLINK(…)`, `=cmd|…`, "CSV injection").
 *
 * - A text cell starting with `=`, `+`, `-`, `@`, tab or CR is prefixed with `'` (OWASP): the
 *   spreadsheet shows it as text, and the person still sees what was sent.
 * - The same after a `,` `;` tab CR or LF (behind spaces or a quote): an import that splits on
 *   that character would start a new cell there, so that piece gets its `'` too.
 * - Numbers stay numbers, negative ones included: only a JavaScript number is written bare, so
 *   a count or a rate stays summable, and `-1` sent as text is still defused.
 */

export type CsvCell = string | number | boolean | Date | null | undefined;

const FORMULA_START = /^[ "]*[=+\-@\t\r]/;
const FORMULA_AFTER_SEPARATOR = /([,;\t\r\n][ "]*)(?=[=+\-@])/g;

/** A cell as a spreadsheet may safely read it. */
export function csvCell(value: CsvCell): string | number {
  if (typeof value === 'number') return Number.isFinite(value) ? value : '';
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  const text = String(value).replace(FORMULA_AFTER_SEPARATOR, "$1'");
  return FORMULA_START.test(text) ? `'${text}` : text;
}

/** Rows (the header first) as CSV text, every cell neutralised. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return stringify(rows.map((row) => row.map(csvCell)));
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route answers with a CSV file: set by `csvRoute`, required by `sendCsv`. */
    csv?: true;
  }
  interface FastifyInstance {
    /** Every route declared with `csvRoute`, for the test that walks them all. */
    csvRoutes: { method: string; url: string }[];
  }
}

/** Route config of a route that answers with CSV; `sendCsv` refuses to run anywhere else. */
export const csvRoute = { csv: true } as const;

/** Collects the CSV routes as they are registered: call before any route is added. */
export function trackCsvRoutes(app: FastifyInstance): void {
  const routes: { method: string; url: string }[] = [];
  app.decorate('csvRoutes', routes);
  app.addHook('onRoute', (route) => {
    if (route.config?.csv !== true) return;
    for (const method of [route.method].flat()) {
      if (method !== 'HEAD') routes.push({ method, url: route.url });
    }
  });
}

/** Sends rows as a CSV download. The filename keeps only characters safe in the header. */
export function sendCsv(
  reply: FastifyReply,
  filename: string,
  rows: readonly (readonly CsvCell[])[],
) {
  // Declared routes only, so the test that walks every CSV route cannot miss one.
  if (reply.request.routeOptions.config.csv !== true) {
    throw new Error(`${reply.request.routeOptions.url ?? 'this route'} sends CSV without csvRoute`);
  }
  const safeName = filename.replace(/[^\w.-]/g, '_');
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${safeName}"`)
    .send(toCsv(rows));
}
