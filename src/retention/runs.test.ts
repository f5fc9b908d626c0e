import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataMap, type FieldClass } from '../privacy/data-map.js';
import { retention, type RetentionRule } from '../privacy/vocabulary.js';
import { createTestApp, TestClock, testDbKind, type TestApp } from '../test-support/app.js';
import {
  daysBefore,
  insertConsent,
  insertLead,
  leadRow,
  monthsBefore,
  tableCounts,
} from '../test-support/retention.js';
import { leadPurger } from './purgers/leads.js';
import { purgers } from './registry.js';
import { createRetentionRunner } from './service.js';
import type { Purger } from './types.js';

let t: TestApp;
const clock = new TestClock();
beforeAll(async () => {
  t = await createTestApp({ clock });
});
afterAll(async () => t.close());

const now = () => clock.now();
async function run(dryRun: boolean) {
  const outcome = await t.app.retention.runner.run({ trigger: 'cli', dryRun });
  if (outcome.status !== 'done') throw new Error('retention run did not start');
  return outcome.report;
}
const byKey = (report: Awaited<ReturnType<typeof run>>) =>
  Object.fromEntries(
    report.results.map((r) => [r.key, { records: r.records, related: r.related }]),
  );

describe('a retention run', () => {
  it('dry run changes nothing and reports what the real run then removes; a second run removes nothing', async () => {
    for (let i = 0; i < 3; i++) await insertLead(t.db, t.kernel, monthsBefore(now(), 25 + i));
    // A job still retrying for an old lead goes with the lead, not with sent-mail housekeeping.
    const stuck = await insertLead(t.db, t.kernel, monthsBefore(now(), 28));
    await t.db
      .updateTable('outbox')
      .set({ sent_at: null })
      .where('payload', 'like', `%${stuck}%`)
      .execute();
    await insertLead(t.db, t.kernel, monthsBefore(now(), 2));
    const granted = await insertLead(t.db, t.kernel, monthsBefore(now(), 30));
    await insertConsent(t.db, granted, 1, monthsBefore(now(), 30));
    const kept = await insertLead(t.db, t.kernel, daysBefore(now(), 3));
    await insertConsent(t.db, kept, 1, monthsBefore(now(), 90));
    await insertConsent(t.db, kept, 0, monthsBefore(now(), 70));

    const before = await tableCounts(t.db);
    const dry = await run(true);
    expect(await tableCounts(t.db)).toEqual(before);
    expect(dry.dryRun).toBe(true);
    // Their notification jobs were sent long ago: sent-mail housekeeping takes those first.
    expect(byKey(dry).lead).toEqual({
      records: 5,
      // The granted consent and the record that ends it stay as proof, tied to no one.
      related: { submissions: 5, events: 5, outbox: 1, consents_ended: 1, consents: 2 },
    });
    expect(byKey(dry).outbox_sent).toEqual({ records: 5, related: undefined });
    expect(byKey(dry).consent).toEqual({ records: 2, related: undefined });

    const real = await run(false);
    expect(byKey(real)).toEqual(byKey(dry));
    expect(real.total).toBe(dry.total);

    const again = await run(false);
    expect(again.total).toBe(0);
    expect(again.results.every((r) => r.records === 0)).toBe(true);
  });

  it('is logged with its counts, and real runs are audited', async () => {
    const runs = await t.db
      .selectFrom('retention_runs')
      .select(['id', 'dry_run', 'trigger', 'counts', 'finished_at', 'error'])
      .orderBy('id')
      .execute();
    expect(runs.map((r) => [r.dry_run, r.trigger])).toEqual([
      [1, 'cli'],
      [0, 'cli'],
      [0, 'cli'],
    ]);
    expect(runs.every((r) => r.finished_at !== null && r.error === null)).toBe(true);
    const counts = JSON.parse(runs[1]!.counts);
    expect(counts.lead.records).toBe(5);
    expect(Object.keys(counts)).toEqual(purgers.map((p) => p.key));

    const audit = await t.db
      .selectFrom('audit_log')
      .select(['actor_kind', 'actor_id', 'detail'])
      .where('action', '=', 'retention_run')
      .orderBy('seq')
      .execute();
    expect(audit).toHaveLength(2);
    expect(audit[0]).toMatchObject({ actor_kind: 'system', actor_id: 'retention-cli' });
    expect(JSON.parse(audit[0]!.detail!)).toMatchObject({
      run_id: runs[1]!.id,
      lead: 5,
      total: 12,
    });
  });

  it('works through more than one chunk', async () => {
    const expired = Array.from({ length: 1200 }, (_, i) =>
      leadRow(t.kernel, monthsBefore(now(), 25 + (i % 5))),
    );
    for (let i = 0; i < expired.length; i += 200) {
      await t.db
        .insertInto('leads')
        .values(expired.slice(i, i + 200))
        .execute();
    }
    const fresh = await insertLead(t.db, t.kernel, monthsBefore(now(), 1));
    let chunks = 0;
    const counted: Purger = {
      ...leadPurger,
      purgeChunk: (db, at, limit) => {
        chunks++;
        return leadPurger.purgeChunk(db, at, limit);
      },
    };
    const runner = createRetentionRunner({ db: t.db, clock, purgers: [counted] });
    const outcome = await runner.run({ trigger: 'cli', dryRun: false });
    expect(outcome.status === 'done' && outcome.report.total).toBe(1200);
    expect(chunks).toBe(3);
    const left = await t.db.selectFrom('leads').select('id').execute();
    expect(left.map((l) => l.id)).toContain(fresh);
    expect(left.some((l) => expired.some((e) => e.id === l.id))).toBe(false);
  });

  it('deletes a long consent history in chunks, oldest first, never orphaning a grant', async () => {
    const lead = await insertLead(t.db, t.kernel, daysBefore(now(), 1));
    for (let i = 0; i < 30; i++) await insertConsent(t.db, lead, 1, daysBefore(now(), 3000 - i));
    await insertConsent(t.db, lead, 0, monthsBefore(now(), 61));
    const { consentPurger } = await import('./purgers/consents.js');
    const runner = createRetentionRunner({
      db: t.db,
      clock,
      purgers: [consentPurger],
      chunkSize: 7,
    });
    const outcome = await runner.run({ trigger: 'cli', dryRun: false });
    expect(outcome.status === 'done' && outcome.report.total).toBe(31);
    const left = await t.db
      .selectFrom('consents')
      .select('id')
      .where('subject_id', '=', lead)
      .execute();
    expect(left).toEqual([]);
  });
});

describe('one run at a time', () => {
  it('refuses a second run while one is in progress in this process', async () => {
    const slow: Purger = {
      ...leadPurger,
      purgeChunk: async (db, at, limit) => {
        await new Promise((r) => setTimeout(r, 50));
        return leadPurger.purgeChunk(db, at, limit);
      },
    };
    const runner = createRetentionRunner({ db: t.db, clock, purgers: [slow] });
    const [a, b] = await Promise.all([
      runner.run({ trigger: 'cli', dryRun: false }),
      runner.run({ trigger: 'scheduled', dryRun: false }),
    ]);
    expect([a.status, b.status].sort()).toEqual(['busy', 'done']);
  });

  it.runIf(testDbKind === 'postgres')(
    'skips while another instance holds the advisory lock',
    async () => {
      const other = new pg.Client({ connectionString: t.config.databaseUrl });
      await other.connect();
      try {
        await other.query('select pg_advisory_lock(734201905)');
        expect(
          (await t.app.retention.runner.run({ trigger: 'scheduled', dryRun: false })).status,
        ).toBe('busy');
        await other.query('select pg_advisory_unlock(734201905)');
        expect(
          (await t.app.retention.runner.run({ trigger: 'scheduled', dryRun: false })).status,
        ).toBe('done');
      } finally {
        await other.end();
      }
    },
  );
});

describe('the scheduler', () => {
  it('runs once after its start-up delay, and not at all with an interval of 0', async () => {
    const before = await t.db
      .selectFrom('retention_runs')
      .select('id')
      .where('trigger', '=', 'scheduled')
      .execute();
    t.app.retention.scheduler.start(5);
    await expect
      .poll(
        async () =>
          (
            await t.db
              .selectFrom('retention_runs')
              .select('id')
              .where('trigger', '=', 'scheduled')
              .execute()
          ).length,
      )
      .toBe(before.length + 1);
    await t.app.retention.scheduler.stop();

    const off = await createTestApp({ clock, env: { RETENTION_INTERVAL_HOURS: '0' } });
    try {
      off.app.retention.scheduler.start(1);
      await new Promise((r) => setTimeout(r, 50));
      expect(await off.db.selectFrom('retention_runs').select('id').execute()).toEqual([]);
    } finally {
      await off.close();
    }
  });
});

describe('the registry', () => {
  it('has a purger for every retention rule with a period that the data map uses', () => {
    const used = new Set<RetentionRule>();
    for (const table of Object.values(dataMap)) {
      for (const f of Object.values(table) as FieldClass[]) if (f.personal) used.add(f.retention);
    }
    const needed = [...used].filter((r) => retention[r].period !== null).sort();
    const covered = new Set(purgers.map((p) => p.rule));
    expect(
      needed.filter((r) => !covered.has(r)),
      'register a purger for these rules in src/retention/registry.ts',
    ).toEqual([]);
    expect(new Set(purgers.map((p) => p.key)).size).toBe(purgers.length);
  });
});
