import { registerRelay } from '../../src/privacy-center/testing.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  freshDatabase,
  hiddenField,
  TEST_AUDIT_KEY_TEXT,
  TEST_DATA_KEY,
  testKernel,
} from '../../src/test-support/app.js';
import { startSmtp, type SmtpPeer } from '../../src/test-support/smtp.js';
import { startSite, stopSite, type ServerProcess } from './server-process.js';

/**
 * Crash: the real server, in its own process, is killed with SIGKILL while intake submissions
 * and analytics events arrive. After a restart on the same database every acknowledged one
 * (303 for a submission, 202 for an event) is stored, and the outbox delivers each notification
 * once, to a real SMTP server on loopback.
 *
 * CRASH_LOAD_MS (default 1500) is how long load runs before the kill; `npm run soak` raises it.
 */
const loadMs = Number(process.env.CRASH_LOAD_MS ?? 1500);

let database: Awaited<ReturnType<typeof freshDatabase>>;
let smtp: SmtpPeer;
let dataDir: string;
let site: ServerProcess | undefined;
const kernel = testKernel();

beforeAll(async () => {
  database = await freshDatabase();
  smtp = await startSmtp();
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-crash-'));
});
afterAll(async () => {
  if (site) await stopSite(site, 'SIGKILL');
  await smtp?.close();
  await database?.drop();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

const env = () => ({
  DATA_DIR: dataDir,
  DATABASE_URL: database.url,
  BASE_URL: 'http://localhost:3000',
  SMTP_URL: smtp.url,
  NOTIFY_EMAIL: 'sales@example.com',
  STARSPMB_DATA_KEY: TEST_DATA_KEY.toString('hex'),
  STARSPMB_AUDIT_KEY: TEST_AUDIT_KEY_TEXT,
  INTAKE_MIN_FILL_MS: '0',
  INTAKE_RATE_LIMIT: '100000',
  ANALYTICS_EVENTS_PER_MINUTE: '1000000',
  ANALYTICS_NEW_VISITORS_PER_MINUTE: '1000000',
  OUTBOX_POLL_MS: '100',
  RETENTION_INTERVAL_HOURS: '0',
});

/** One submission: a fresh form, then the post. True when the site acknowledged it (303). */
async function submit(base: string, k: number): Promise<boolean> {
  const form = await fetch(`${base}/get-started`);
  const formToken = hiddenField(await form.text(), 'formToken');
  const res = await fetch(`${base}/get-started`, {
    method: 'POST',
    redirect: 'manual',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'sec-fetch-site': 'same-origin',
    },
    body: new URLSearchParams({
      formToken,
      userType: 'provider',
      name: `Crash Test ${k}`,
      organization: 'Lakeside Family Medicine',
      practiceSize: '6-20',
      address: '1200 Elm Street',
      city: 'Dallas',
      state: 'TX',
      zip: '75201',
      email: `crash${k}@lakeside.example`,
      phone: '',
      needs: 'Claims keep coming back.',
    }).toString(),
  });
  await res.arrayBuffer();
  return res.status === 303;
}

/** One analytics event naming its own page. True when acknowledged (202). */
async function beacon(base: string, k: number): Promise<boolean> {
  const res = await fetch(`${base}/api/event`, {
    method: 'POST',
    headers: {
      'content-type': 'text/plain;charset=UTF-8',
      'sec-fetch-site': 'same-origin',
      'user-agent':
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    },
    body: JSON.stringify({ type: 'pageview', url: `http://localhost:3000/k/${k}` }),
  });
  await res.arrayBuffer();
  return res.status === 202;
}

/** Runs `send` from `lanes` loops until stopped; keeps the ids acknowledged. */
function drive(lanes: number, send: (k: number) => Promise<boolean>) {
  const acknowledged: number[] = [];
  let next = 0;
  let stopped = false;
  const done = Promise.all(
    Array.from({ length: lanes }, async () => {
      while (!stopped) {
        const k = next++;
        try {
          if (await send(k)) acknowledged.push(k);
        } catch {
          // Connection refused or reset: never acknowledged.
        }
      }
    }),
  );
  return {
    acknowledged,
    sent: () => next,
    stop: async () => {
      stopped = true;
      await done;
    },
  };
}

const messageIdOf = (raw: string) => /^Message-ID:\s*(<[^>]+>)/im.exec(raw)?.[1];

describe('crash: SIGKILL under load, then restart', () => {
  it('keeps every acknowledged submission and event, and mails each lead once', async () => {
    const t0 = Date.now();
    const lap = (what: string) => console.log(`[crash] ${what} at ${Date.now() - t0} ms`);
    site = await startSite(env());
    // Mail to the people who wrote in goes through a registered relay (an administrator's step).
    await registerRelay({ db: database.db, clock: { now: () => new Date() } });
    lap('started');
    const base = site.base;
    const forms = drive(1, (k) => submit(base, k));
    const events = drive(4, (k) => beacon(base, k));
    // Load until enough was acknowledged on both paths (and at least loadMs), then the kill.
    const started = Date.now();
    while (
      Date.now() - started < loadMs ||
      forms.acknowledged.length < 5 ||
      events.acknowledged.length < 10
    ) {
      if (Date.now() - started > 30_000) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    await stopSite(site, 'SIGKILL');
    await Promise.all([forms.stop(), events.stop()]);
    lap(
      `killed after ${forms.acknowledged.length} submissions, ${events.acknowledged.length} events acknowledged`,
    );
    expect(forms.acknowledged.length, site.output()).toBeGreaterThanOrEqual(5);
    expect(events.acknowledged.length, site.output()).toBeGreaterThanOrEqual(10);
    // Requests were still arriving when it died: the kill was mid-load.
    expect(forms.sent()).toBeGreaterThan(forms.acknowledged.length);

    site = await startSite(env());
    lap('restarted');
    const db = database.db;

    // Every acknowledged submission is a stored lead.
    for (const k of forms.acknowledged) {
      const lead = await db
        .selectFrom('leads')
        .select('id')
        .where('email_index', 'in', kernel.lookupIndexes('email', `crash${k}@lakeside.example`))
        .executeTakeFirst();
      expect(lead, `acknowledged submission ${k} is stored`).toBeDefined();
    }

    // Every acknowledged event is stored (the collector commits before its 202).
    const rows = await sql<{ p: string }>`
      select d.value as p from analytics_events e join analytics_dict d on d.id = e.path
      where d.value like '/k/%'`.execute(db);
    const stored = new Set(rows.rows.map((r) => Number(r.p.slice(3))));
    const lost = events.acknowledged.filter((k) => !stored.has(k));
    expect(lost, 'acknowledged events missing after the crash').toEqual([]);

    // A message the dead process had leased (claimed, not yet marked sent) waits out its lease
    // (5 minutes) before another try: note which, let that time pass, then all go out.
    const inFlight = new Set(
      (
        await db
          .selectFrom('outbox')
          .select('id')
          .where('sent_at', 'is', null)
          .where('next_attempt_at', '>', new Date().toISOString())
          .execute()
      ).map((r) => r.id),
    );
    await db
      .updateTable('outbox')
      .set({ next_attempt_at: new Date(0).toISOString() })
      .where('sent_at', 'is', null)
      .execute();
    const outbox = await db.selectFrom('outbox').select(['id', 'sent_at']).execute();
    expect(outbox.length).toBeGreaterThanOrEqual(forms.acknowledged.length);
    // Generous: a soak run queues hundreds of messages.
    const deadline = Date.now() + 30_000 + outbox.length * 300;
    for (;;) {
      const unsent = await db
        .selectFrom('outbox')
        .select(['id', 'kind', 'last_error'])
        .where('sent_at', 'is', null)
        .execute();
      if (unsent.length === 0) break;
      if (Date.now() > deadline) {
        const why = [...new Set(unsent.map((m) => `${m.kind}: ${m.last_error ?? 'not tried'}`))];
        throw new Error(`${unsent.length} messages never sent (${why.join('; ')})`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    lap('outbox drained');
    await stopSite(site);
    site = undefined;
    lap('stopped');

    // Each outbox row arrived under its own Message-ID. Only a message the kill caught between
    // the SMTP server's acceptance and its row being marked sent may arrive a second time, under
    // the same Message-ID (so the receiving system drops it); every other arrived exactly once.
    const ids = smtp.received.map((m) => messageIdOf(m.raw));
    expect(ids.every((id) => id !== undefined)).toBe(true);
    const seen = new Map<string, number>();
    for (const id of ids) seen.set(id!, (seen.get(id!) ?? 0) + 1);
    const rowOf = (messageId: string) => /^<([^@]+)@/.exec(messageId)?.[1] ?? messageId;
    expect(new Set([...seen.keys()].map(rowOf))).toEqual(new Set(outbox.map((o) => o.id)));
    for (const [messageId, n] of seen) {
      const row = rowOf(messageId);
      if (inFlight.has(row)) expect(n, `${row} (in flight at the kill)`).toBeLessThanOrEqual(2);
      else expect(n, `${row} delivered exactly once`).toBe(1);
    }
    lap(
      `${seen.size} messages, ${ids.length - seen.size} resent after the kill (${inFlight.size} in flight)`,
    );
  }, 900_000);
});
