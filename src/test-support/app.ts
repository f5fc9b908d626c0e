import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, InjectOptions } from 'fastify';
import pg from 'pg';
import { buildApp, type AppDeps } from '../app.js';
import type { Clock } from '../adapters/clock.js';
import { createMailer, type Mailer } from '../adapters/mailer.js';
import { loadConfig, type Config } from '../config/env.js';
import { loadSiteConfig } from '../config/site.js';
import { createDb, type Db } from '../db/database.js';
import { migrateTo, migrateToLatest } from '../db/migrate.js';
import { deriveAuditKey, useAuditKey } from '../audit/key.js';
import { createKernel, type Kernel } from '../privacy/kernel.js';
import { keyringOf } from '../privacy/keyring.js';

/** A fixed data key, so a test can open what the app sealed. */
export const TEST_DATA_KEY = Buffer.alloc(32, 7);
export const testKernel = () => createKernel(keyringOf([TEST_DATA_KEY], 'test'));

/** A fixed audit key, loaded by every test database as a started server would load its own. */
export const TEST_AUDIT_KEY_TEXT = Buffer.alloc(32, 9).toString('base64url');
export const testAuditKey = deriveAuditKey(Buffer.alloc(32, 9), 'test');

/** Which database this run targets: PostgreSQL when TEST_DATABASE_URL is set, else SQLite. */
export const testDbKind = process.env.TEST_DATABASE_URL ? 'postgres' : 'sqlite';

/**
 * A fresh, migrated database of its own for one test file (a temp SQLite file or a new PG
 * database); `upTo` stops at an older migration, to seed rows in the shape a later one finds.
 */
export async function freshDatabase(
  upTo?: Parameters<typeof migrateTo>[1],
): Promise<{ url: string; db: Db; drop(): Promise<void> }> {
  useAuditKey(testAuditKey);
  const base = process.env.TEST_DATABASE_URL;
  const place = base ? await newPostgresDatabase(base) : newSqliteFile();
  const db = createDb(place.url);
  await (upTo ? migrateTo(db, upTo) : migrateToLatest(db));
  return {
    url: place.url,
    db,
    drop: async () => {
      await db.destroy();
      await place.remove();
    },
  };
}

/** An empty SQLite file in a temp folder of its own. */
function newSqliteFile() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-test-'));
  return {
    url: `sqlite:${path.join(dir, 'test.db')}`,
    // The checkpoint worker closes its own connection a moment later (src/db/checkpointer.ts),
    // and SQLite may remove the -wal file then: retry rather than race it.
    remove: async () =>
      fs.rmSync(dir, { recursive: true, force: true, maxRetries: 10, retryDelay: 50 }),
  };
}

/** A new, empty PostgreSQL database on the server `base` names. */
async function newPostgresDatabase(base: string) {
  const name = `starspmb_t_${randomBytes(6).toString('hex')}`;
  const run = async (query: string) => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(query);
    await c.end();
  };
  await run(`CREATE DATABASE ${name}`);
  const u = new URL(base);
  u.pathname = `/${name}`;
  return { url: u.toString(), remove: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export class TestClock implements Clock {
  constructor(private t = new Date('2026-11-28T12:00:00.000Z')) {}
  now() {
    return new Date(this.t);
  }
  advance(ms: number) {
    this.t = new Date(this.t.getTime() + ms);
  }
}

export interface TestAppOptions {
  env?: Record<string, string>;
  mailer?: Mailer;
  clock?: Clock;
  /** Logger options (a test that reads the log passes a stream). */
  logger?: AppDeps['logger'];
  /** Stands in for argon2's verify, for tests that count its calls. */
  verifyPassword?: (hash: string, password: string) => Promise<boolean>;
  /** The kernel from the test's data folder (a key file there), instead of the fixed test key. */
  kernel?: (dataDir: string) => Kernel;
  /**
   * The address the app connects to, given the test database's (a fault proxy's, say); the
   * test's own `db` keeps the direct connection.
   */
  appDatabaseUrl?: (url: string) => string;
  /** The app's secret (keys of rate counters, form tokens); a fixed one unless given. */
  secret?: string;
}

/** The whole app against a real database, for `inject` tests. */
export async function createTestApp(opts: TestAppOptions = {}) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-data-'));
  const database = await freshDatabase();
  const appDbUrl = opts.appDatabaseUrl ? opts.appDatabaseUrl(database.url) : database.url;
  const env = {
    DATA_DIR: dataDir,
    DATABASE_URL: appDbUrl,
    BASE_URL: 'http://localhost:3000',
    INTAKE_MIN_FILL_MS: '0',
    INTAKE_RATE_LIMIT: '1000',
    LOGIN_RATE_LIMIT: '1000',
    ...opts.env,
  };
  const config: Config = loadConfig(env);
  const secret = opts.secret ?? 'test-secret-test-secret-test-secret-0123';
  const site = loadSiteConfig();
  const mailer =
    opts.mailer ??
    createMailer({
      smtpUrl: config.smtpUrl,
      outboxDir: path.join(dataDir, 'outbox'),
      from: site.email.from,
    });
  // Never the wall clock: a test that needs time to pass advances this one.
  const clock = opts.clock ?? new TestClock();
  const kernel = opts.kernel?.(dataDir) ?? testKernel();
  const appDb = opts.appDatabaseUrl ? createDb(appDbUrl) : database.db;
  const app = await buildApp({
    config,
    site,
    db: appDb,
    mailer,
    clock,
    secret,
    kernel,
    ...(opts.logger ? { logger: opts.logger } : {}),
    verifyPassword: opts.verifyPassword,
  });
  await app.ready();
  sentFromTheSite(app);
  return {
    app,
    db: database.db,
    /** The database's URL, for a second connection of a test's own. */
    url: database.url,
    config,
    /** The settings `config` was read from, for another instance of the same site. */
    env,
    secret,
    site,
    dataDir,
    kernel,
    /** The app's clock: what "now" is for everything the app does in this test. */
    clock,
    /** The id of the lead holding this email, found the way the app finds it (blind index). */
    async leadIdByEmail(email: string): Promise<string> {
      const row = await database.db
        .selectFrom('leads')
        .select('id')
        .where('email_index', 'in', kernel.lookupIndexes('email', email))
        .executeTakeFirstOrThrow();
      return row.id;
    },
    async close() {
      await app.close();
      if (appDb !== database.db) await appDb.destroy();
      await database.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/**
 * Another app instance beside `t`: the same database (its own connection), settings, key and
 * clock, as a second server behind a load balancer. `env` changes settings of this one only.
 */
export async function anotherInstance(t: TestApp, env: Record<string, string> = {}) {
  const db = createDb(t.url);
  const n = ++instances;
  const config = loadConfig({ ...t.env, ...env });
  const app = await buildApp({
    config,
    site: t.site,
    db,
    mailer: createMailer({
      smtpUrl: config.smtpUrl,
      outboxDir: path.join(t.dataDir, `outbox${n}`),
      from: t.site.email.from,
    }),
    clock: t.clock,
    secret: t.secret,
    kernel: t.kernel,
  });
  await app.ready();
  sentFromTheSite(app);
  return {
    app,
    async close() {
      await app.close();
      await db.destroy();
    },
  };
}
let instances = 0;

const originHeaders = ['sec-fetch-site', 'origin', 'referer'];

/**
 * Injected requests come from the site's own pages, as a browser's would (Sec-Fetch-Site:
 * same-origin), unless a test names an origin header itself; naming one as undefined sends
 * none at all (decision 015).
 */
function sentFromTheSite(app: FastifyInstance): void {
  const inject = app.inject.bind(app);
  const withOrigin = (opts: InjectOptions | string): InjectOptions => {
    const o = typeof opts === 'string' ? { url: opts } : opts;
    const headers: Record<string, string | string[] | number | undefined> = { ...o.headers };
    const named = Object.keys(headers).some((k) => originHeaders.includes(k.toLowerCase()));
    for (const k of Object.keys(headers))
      if (headers[k] === undefined && originHeaders.includes(k.toLowerCase())) delete headers[k];
    return { ...o, headers: named ? headers : { 'sec-fetch-site': 'same-origin', ...headers } };
  };
  app.inject = ((opts?: InjectOptions | string) =>
    opts === undefined ? inject() : inject(withOrigin(opts))) as typeof app.inject;
}

/** Cookies from a response as a Cookie header, merged over an earlier jar. */
export function cookieJar(
  res: { cookies: { name: string; value: string }[] },
  jar: Record<string, string> = {},
) {
  for (const c of res.cookies) jar[c.name] = c.value;
  return jar;
}
export const cookieHeader = (jar: Record<string, string>) =>
  Object.entries(jar)
    .map(([k, v]) => `${k}=${v}`)
    .join('; ');

/** The value of a hidden input in rendered HTML. */
export function hiddenField(html: string, name: string): string {
  const m =
    new RegExp(`name="${name}"[^>]*value="([^"]*)"`).exec(html) ??
    new RegExp(`value="([^"]*)"[^>]*name="${name}"`).exec(html);
  if (!m?.[1]) throw new Error(`no hidden field ${name} in page`);
  return m[1].replace(/&amp;/g, '&');
}

/** How many rows a table holds (what a refused request must not have added to). */
export async function rowCount(
  db: Db,
  table: 'leads' | 'lead_submissions' | 'privacy_requests' | 'analytics_events' | 'outbox',
) {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
