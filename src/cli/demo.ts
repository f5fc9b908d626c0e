import { parseArgs } from 'node:util';
import { demoStaff } from '../accounts/demo.js';
import { createAccountService } from '../accounts/service.js';
import { systemClock, type Clock } from '../adapters/clock.js';
import { createRandom, demoClock, type DemoContext, type DemoStep } from '../adapters/demo-data.js';
import { demoTraffic } from '../analytics/demo.js';
import type { Config } from '../config/env.js';
import { loadAppSecret } from '../config/secret.js';
import { loadSiteConfig } from '../config/site.js';
import { createDb, type Db } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';
import { demoLeads } from '../intake/demo.js';
import { createIntakeService } from '../intake/service.js';
import { demoPipeline } from '../leads/demo.js';
import { createConsoleService } from '../leads/service.js';
import { createRequestQueue } from '../privacy-center/console-service.js';
import { demoOptOuts, demoRequests } from '../privacy-center/demo.js';
import { createPrivacyCenter } from '../privacy-center/service.js';
import { createKernel } from '../privacy/kernel.js';
import { loadKeyring } from '../privacy/keyring.js';
import { consoleIo, type CliIo } from './backup.js';

export const demoUsage = `  demo seed [--leads N] [--events N] [--days N] [--seed N] [--force]
                                          fill an empty database with obviously fake demo data (leads,
                                          consents, privacy requests, a year of analytics), to try the
                                          console; --seed N makes the same data again`;

const usage = `Usage: starspmb demo seed [--leads N] [--events N] [--days N] [--seed N] [--force]
  --leads N    demo leads (default 200); privacy requests are one per ten leads
  --events N   analytics events (default 50000)
  --days N     over how many days up to today the events spread (default 365)
  --seed N     the same N makes the same demo data (default 1)
  --force      seed a database that already holds leads, or a live site's (see below)`;

export interface DemoOptions {
  leads: number;
  events: number;
  days: number;
  seed: number;
  force: boolean;
}

/**
 * A live site's address: https on a public name. Demo data there would sit beside real people's
 * records, in exports, reports and analytics, so it takes --force.
 */
export function looksLive(baseUrl: string): boolean {
  const u = new URL(baseUrl);
  const host = u.hostname.toLowerCase();
  const local =
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    /^(127\.|10\.|192\.168\.|\[::1\])/.test(host) ||
    /(^|\.)(test|example|invalid|local|internal)$/.test(host) ||
    /(^|\.)example\.(com|org|net)$/.test(host);
  return u.protocol === 'https:' && !local;
}

function parse(args: string[]): DemoOptions | string {
  const [sub, ...rest] = args;
  if (sub !== 'seed') return usage;
  const { values } = parseArgs({
    args: rest,
    options: {
      leads: { type: 'string' },
      events: { type: 'string' },
      days: { type: 'string' },
      seed: { type: 'string' },
      force: { type: 'boolean' },
    },
    strict: true,
  });
  const number = (name: 'leads' | 'events' | 'days' | 'seed', fallback: number, max: number) => {
    const v = values[name];
    if (v === undefined) return fallback;
    const n = Number(v);
    if (!/^\d+$/.test(v) || n > max) throw new Error(`--${name} takes a whole number up to ${max}`);
    return n;
  };
  return {
    leads: number('leads', 200, 100_000),
    events: number('events', 50_000, 20_000_000),
    days: Math.max(1, number('days', 365, 730)),
    seed: number('seed', 1, 2 ** 31),
    force: values.force === true,
  };
}

/** `starspmb demo seed`: parse, check it is safe to seed here, run each capability's step. */
export async function demoCommand(
  config: Config,
  args: string[],
  io: CliIo = consoleIo(),
  clock: Clock = systemClock,
): Promise<number> {
  let opts: DemoOptions | string;
  try {
    opts = parse(args);
  } catch (err) {
    io.error(`${(err as Error).message}\n\n${usage}`);
    return 1;
  }
  if (typeof opts === 'string') {
    io.error(opts);
    return 1;
  }
  if (looksLive(config.baseUrl) && !opts.force) {
    io.error(
      `BASE_URL is ${config.baseUrl}: this looks like the live site. Demo data would sit beside ` +
        'real people’s records, in the console, exports, access reports and analytics. Seed a ' +
        'separate database instead, or add --force if this really is a demo site.',
    );
    return 1;
  }
  const db = createDb(config.databaseUrl);
  try {
    await migrateToLatest(db);
    const refusal = await refusalReason(db, clock.now(), opts.force);
    if (refusal) {
      io.error(refusal);
      return 1;
    }
    return await seed(config, db, opts, io, clock.now());
  } finally {
    await db.destroy();
  }
}

/** Why this database must not be seeded now, if it must not. */
async function refusalReason(db: Db, now: Date, force: boolean): Promise<string | undefined> {
  // The seed drops the mail its steps queue; a running site could send it first.
  const sender = await db
    .selectFrom('job_leases')
    .select('lease_until')
    .where('job', '=', 'outbox')
    .where('lease_until', '>', now.toISOString())
    .executeTakeFirst();
  if (sender)
    return (
      'The site is running on this database (its mail sender is active). Stop it first, ' +
      'then seed: demo submissions queue mail that must never be sent.'
    );
  const leads = await db
    .selectFrom('leads')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  if (Number(leads.n) > 0 && !force)
    return (
      `This database holds ${Number(leads.n)} leads, which may be real people. Demo data is ` +
      'for an empty database; add --force to add it anyway (to a demo database seeded before, say).'
    );
  return undefined;
}

async function seed(
  config: Config,
  db: Db,
  opts: DemoOptions,
  io: CliIo,
  now: Date,
): Promise<number> {
  const site = loadSiteConfig(config.siteConfigPath);
  const secret = loadAppSecret(config.dataDir, config.appSecret);
  const kernel = createKernel(
    loadKeyring({
      dataDir: config.dataDir,
      key: config.dataKey,
      previous: config.previousDataKeys,
    }),
  );
  const clock = demoClock(now);
  const ctx: DemoContext = { random: createRandom(opts.seed), clock, now, leads: [], staff: {} };
  const steps: DemoStep[] = [
    demoStaff(createAccountService({ db, clock, config, secret, kernel })),
    demoLeads(createIntakeService({ db, clock, config, site, secret, kernel }), opts.leads),
    demoPipeline(createConsoleService({ db, clock, kernel })),
    demoOptOuts({ db, clock, kernel }),
    demoRequests(
      {
        center: createPrivacyCenter({ db, clock, kernel, secret, reportDays: 30 }),
        queue: createRequestQueue({ db, clock, kernel }),
        secret,
        db,
      },
      Math.max(opts.leads > 0 ? 3 : 0, Math.round(opts.leads / 10)),
    ),
    demoTraffic(db, opts.events, opts.days),
    // Each capability with demo data adds its step here (client practices, partners, ...).
  ];
  const queued = new Set((await unsent(db)).map((r) => r.id));
  const started = performance.now();
  for (const step of steps) {
    let done = 0;
    const result = await step.run(ctx, (n = 1) => {
      done += n;
      io.progress?.(step.name, Math.min(done, step.units), step.units);
    });
    io.print(`  ${result}`);
  }
  // Demo mail (confirmations, notifications, request links) is never sent: it is dropped here.
  const dropped = (await unsent(db)).filter((r) => !queued.has(r.id)).map((r) => r.id);
  for (let i = 0; i < dropped.length; i += 500)
    await db
      .deleteFrom('outbox')
      .where('id', 'in', dropped.slice(i, i + 500))
      .execute();
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  io.print(
    `Demo data seeded in ${seconds} s (seed ${opts.seed}); ${dropped.length} demo mails dropped unsent.`,
  );
  io.print('Sign in with your own account (starspmb user create) to look around the console.');
  return 0;
}

const unsent = (db: Db) =>
  db.selectFrom('outbox').select('id').where('sent_at', 'is', null).execute();
