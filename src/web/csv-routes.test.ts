import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { panelIds } from '../analytics/dashboard/service.js';
import { addCrm } from '../disclosures/testing.js';
import { createTestApp, hiddenField, TestClock, type TestApp } from '../test-support/app.js';
import { getAs, postForm, staffJar, type Jar } from '../test-support/staff.js';

// Every route that answers with CSV, found from the routes the app really registers, gets
// hostile values planted through the public site and must hand them back defused.

const CMD = "=cmd|' /C calc'!A0";
const LINK = '=HYPERLINK("http://evil.example")';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';

let t: TestApp;
let admin: Jar;

/** How to plant hostile values in a CSV route's data, and how to download its files. */
interface Recipe {
  plant(): Promise<void>;
  files(): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }[]>;
  /** Cells as a spreadsheet should now show them: the planted text, defused. */
  defused: string[];
}

const recipes: Record<string, Recipe> = {
  'GET /console/analytics/export.csv': {
    plant: plantAnalytics,
    files: () =>
      Promise.all(
        panelIds.map((p) => getAs(t, admin, `/console/analytics/export.csv?panel=${p}&range=7d`)),
      ),
    // Campaign tags are stored in lower case.
    defused: [
      `'${LINK}`,
      `'${CMD.toLowerCase()}`,
      "'@sum(1+1)",
      "campaign;'-1+1",
      "'=1+2.evil.example",
      "'-2.evil.example",
    ],
  },
  'POST /console/leads/export': {
    plant: plantLead,
    files: async () => {
      const recipient = await addCrm(t);
      const fields = { recipient, purpose: 'service_request', basis: 'requested_service' };
      return [await postForm(t, admin, '/console/leads/export', fields)];
    },
    defused: [
      `'${CMD}`,
      "'@SUM(1+1)",
      "'-2+3+cmd|' /C calc'!A0",
      `Billing help;'${LINK}`,
      "Dallas\n'+1+1",
    ],
  },
};

async function plantAnalytics() {
  const event = (body: Record<string, unknown>) =>
    t.app.inject({
      method: 'POST',
      url: '/api/event',
      remoteAddress: '192.0.2.7',
      headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': CHROME },
      payload: JSON.stringify(body),
    });
  const tags = new URLSearchParams({
    utm_source: CMD,
    utm_medium: '@SUM(1+1)',
    utm_campaign: 'campaign;-1+1',
  });
  const sent = [
    await event({
      type: 'pageview',
      url: `http://localhost:3000/?${tags}`,
      referrer: 'http://-2.evil.example/',
    }),
    await event({ type: 'event', url: 'http://localhost:3000/', name: LINK }),
    await event({
      type: 'outbound',
      url: 'http://localhost:3000/',
      name: 'http://=1+2.evil.example/',
    }),
  ];
  expect(sent.map((r) => r.statusCode)).toEqual([202, 202, 202]);
}

async function plantLead() {
  const form = await t.app.inject({ method: 'GET', url: '/get-started' });
  const res = await t.app.inject({
    method: 'POST',
    url: '/get-started',
    payload: {
      userType: 'provider',
      name: '@SUM(1+1)',
      organization: CMD,
      practiceSize: '2-5',
      address: "-2+3+cmd|' /C calc'!A0",
      city: 'Dallas\n+1+1',
      state: 'TX',
      zip: '75201',
      email: 'mallory@clinic.example',
      needs: `Billing help;${LINK}`,
      formToken: hiddenField(form.body, 'formToken'),
    },
  });
  expect(res.statusCode).toBe(201);
}

beforeAll(async () => {
  t = await createTestApp({ clock: new TestClock() });
  admin = await staffJar(t, 'admin');
});
afterAll(async () => t.close());

describe('CSV routes', () => {
  it('are exactly the routes this test knows how to attack', () => {
    const registered = t.app.csvRoutes.map((r) => `${r.method} ${r.url}`).sort();
    expect(registered).toEqual(Object.keys(recipes).sort());
  });

  it('are written by the one CSV writer: no other source file makes CSV', () => {
    const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
    const writers = sourceFiles(src).filter((f) =>
      /csv-stringify|text\/csv/.test(fs.readFileSync(f, 'utf8')),
    );
    expect(writers.map((f) => path.relative(src, f))).toEqual([path.join('web', 'csv.ts')]);
  });

  it.each(Object.keys(recipes))('%s hands back what the public sent, defused', async (route) => {
    const recipe = recipes[route]!;
    await recipe.plant();
    const files = await recipe.files();
    const cells: string[] = [];
    for (const file of files) {
      expect(file.statusCode).toBe(200);
      expect(String(file.headers['content-type'])).toMatch(/^text\/csv/);
      cells.push(...parseCsv(file.body).flat());
    }
    for (const cell of recipe.defused) expect(cells).toContain(cell);
    expect(cells.filter(runsAsFormula)).toEqual([]);
  });
});

/** A cell a spreadsheet would evaluate, at its start or after a separator an import may split on. */
function runsAsFormula(cell: string): boolean {
  if (/^-?\d+(\.\d+)?$/.test(cell)) return false; // a number, negative or not
  return /^[ "]*[=+\-@\t\r]/.test(cell) || /[,;\t\r\n][ "]*[=+\-@]/.test(cell);
}

/** RFC 4180: quoted cells may hold commas, quotes ("") and line breaks. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  const row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted && c === '"' && text[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
    } else if (quoted || (c !== ',' && c !== '\n')) {
      cell += c;
    } else {
      row.push(cell);
      cell = '';
      if (c === '\n') rows.push(row.splice(0));
    }
  }
  if (cell || row.length) rows.push([...row, cell]);
  return rows;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(p);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [p] : [];
  });
}
