import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  hiddenField,
  rowCount,
  testDbKind,
  type TestApp,
} from '../../src/test-support/app.js';
import { startFaultProxy } from './fault-proxy.js';

/**
 * Database faults (PostgreSQL): a TCP proxy between the app and the database refuses or cuts
 * connections, before and in the middle of requests. A request that could not be saved answers
 * 503 with Retry-After and a message; nothing acknowledged is lost; once the proxy lets traffic
 * through again the same app (no restart) saves again. The real PostgreSQL is never stopped.
 *
 * FAULT_CUTS (default 12) is how many cut points are spread over a submission, FAULT_ROUNDS
 * (default 1) how many times they are all tried; `npm run soak` raises the rounds.
 */
const cutPoints = Number(process.env.FAULT_CUTS ?? 12);
const rounds = Number(process.env.FAULT_ROUNDS ?? 1);

if (testDbKind !== 'postgres')
  console.log(
    '[starspmb tests] database faults SKIPPED: they need PostgreSQL (set TEST_DATABASE_URL).',
  );

describe.runIf(testDbKind === 'postgres')('database faults', () => {
  let t: TestApp;
  let proxy: Awaited<ReturnType<typeof startFaultProxy>>;
  beforeAll(async () => {
    const direct = new URL(process.env.TEST_DATABASE_URL!);
    proxy = await startFaultProxy({ host: direct.hostname, port: Number(direct.port || 5432) });
    t = await createTestApp({
      appDatabaseUrl: (url) => {
        const u = new URL(url);
        u.hostname = '127.0.0.1';
        u.port = String(proxy.port);
        return u.toString();
      },
    });
  });
  afterAll(async () => {
    proxy?.up();
    await t?.close();
    await proxy?.close();
  });

  let seq = 0;
  /** A submission of the intake form; returns the response and the email it carried. */
  async function submit(json = false) {
    const page = await t.app.inject({ method: 'GET', url: '/get-started' });
    const formToken = hiddenField(page.body, 'formToken');
    const email = `fault${++seq}@lakeside.example`;
    const fields = {
      formToken,
      userType: 'provider',
      name: `Fault Test ${seq}`,
      organization: 'Lakeside Family Medicine',
      practiceSize: '6-20',
      address: '1200 Elm Street',
      city: 'Dallas',
      state: 'TX',
      zip: '75201',
      email,
      phone: '',
      needs: 'Claims keep coming back.',
    };
    const res = await t.app.inject({
      method: 'POST',
      url: '/get-started',
      ...(json
        ? { payload: fields }
        : {
            payload: new URLSearchParams(fields).toString(),
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
          }),
    });
    return { res, email };
  }

  const stored = async (email: string) =>
    (await t.db
      .selectFrom('leads')
      .select('id')
      .where('email_index', 'in', t.kernel.lookupIndexes('email', email))
      .executeTakeFirst()) !== undefined;

  const leadCount = () => rowCount(t.db, 'leads');

  /** A 503 that tells the sender to come back: Retry-After and words, in HTML and in JSON. */
  function expectRetryLater(res: Awaited<ReturnType<typeof submit>>['res'], json: boolean) {
    expect(res.statusCode, res.body.slice(0, 300)).toBe(503);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    if (json) expect(res.json<{ error: string }>().error).toMatch(/try again/i);
    else expect(res.body).toMatch(/try again/i);
  }

  it('answers 503 with Retry-After while the database is unreachable, then saves again without a restart', async () => {
    const first = await submit();
    expect(first.res.statusCode).toBe(303);
    const before = await leadCount();

    proxy.down();
    for (const json of [false, true]) {
      const { res, email } = await submit(json);
      expectRetryLater(res, json);
      expect(await stored(email)).toBe(false);
    }
    expect(await leadCount()).toBe(before);

    proxy.up();
    const again = await submit();
    expect(again.res.statusCode).toBe(303);
    expect(await stored(again.email)).toBe(true);
    expect(await stored(first.email)).toBe(true);
  });

  it('keeps every analytics event it acknowledged while connections are cut', async () => {
    const ua =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
    const beacon = (k: number) =>
      t.app.inject({
        method: 'POST',
        url: '/api/event',
        headers: { 'content-type': 'text/plain;charset=UTF-8', 'user-agent': ua },
        payload: JSON.stringify({ type: 'pageview', url: `http://localhost:3000/f/${k}` }),
      });
    // The cuts are spread over the chunks a clean beacon sends, and a few past them.
    const start = proxy.chunks();
    expect((await beacon(-1)).statusCode).toBe(202);
    const perEvent = Math.max(proxy.chunks() - start, 1);
    const acknowledged: number[] = [];
    let refused = 0;
    for (let k = 0; k < cutPoints * 2 * rounds; k++) {
      proxy.up();
      if (k % 5 === 4) proxy.down();
      else proxy.cutAfter(k % (perEvent + 3), { forward: k % 2 === 1 });
      const res = await beacon(k);
      proxy.up();
      if (res.statusCode === 202) acknowledged.push(k);
      else {
        expect(res.statusCode, res.body.slice(0, 300)).toBe(503);
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(0);
    // Recovery, then every acknowledged event is in the table.
    expect((await beacon(100_000)).statusCode).toBe(202);
    const rows = await sql<{ p: string }>`
      select d.value as p from analytics_events e join analytics_dict d on d.id = e.path
      where d.value like '/f/%'`.execute(t.db);
    const stored = new Set(rows.rows.map((r) => Number(r.p.slice(3))));
    expect(acknowledged.filter((k) => !stored.has(k))).toEqual([]);
    expect(stored.has(100_000)).toBe(true);
    console.log(
      `[db-faults] ${perEvent} chunks an event; ${acknowledged.length} acknowledged, ${refused} refused`,
    );
  });

  it('answers 303 or 503 when a connection is cut mid-request, and loses nothing it acknowledged', async () => {
    // How many chunks a clean submission sends: the cuts are spread over all of them and one
    // past the end (a submission that finishes first is acknowledged and must be stored).
    await t.app.inject({ method: 'GET', url: '/get-started' });
    const start = proxy.chunks();
    expect((await submit()).res.statusCode).toBe(303);
    const perRequest = proxy.chunks() - start;
    const points = [
      ...new Set(
        Array.from({ length: cutPoints }, (_, i) =>
          Math.round((i * (perRequest + 1)) / Math.max(cutPoints - 1, 1)),
        ),
      ),
    ];
    const acknowledged: string[] = [];
    let refused = 0;
    for (const n of Array.from({ length: rounds }, () => points).flat()) {
      for (const forward of [false, true]) {
        const json = (n + Number(forward)) % 2 === 1;
        proxy.up();
        // The form is fetched first: the cut is planned for the submission alone.
        const page = await t.app.inject({ method: 'GET', url: '/get-started' });
        expect(page.statusCode).toBe(200);
        proxy.cutAfter(n, { forward });
        const { res, email } = await submit(json);
        proxy.up();
        // Acknowledged: 303 to the thanks page for a form, 201 for JSON.
        if (res.statusCode === 303 || res.statusCode === 201) acknowledged.push(email);
        else {
          expectRetryLater(res, json);
          refused++;
        }
      }
    }
    console.log(
      `[db-faults] ${perRequest} chunks a submission, cuts at ${points.join(',')}; ${proxy.cuts()} cuts: ${acknowledged.length} acknowledged, ${refused} refused with 503`,
    );
    expect(proxy.cuts(), 'the proxy cut connections in the middle of requests').toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
    for (const email of acknowledged) expect(await stored(email), email).toBe(true);

    // The same app, no restart, recovers: a connection cut a moment ago may still fail one more
    // request (503, nothing saved) before the pool has noticed; within a few tries one is saved.
    let after = await submit();
    for (let tries = 1; after.res.statusCode === 503 && tries < 5; tries++) {
      await new Promise((r) => setTimeout(r, 200));
      after = await submit();
    }
    expect(after.res.statusCode).toBe(303);
    expect(await stored(after.email)).toBe(true);
  }, 600_000);
});
