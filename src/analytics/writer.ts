import { sql } from 'kysely';
import { isSqlite, type Db } from '../db/database.js';
import { runCompiled } from '../db/compiled.js';
import { isDataError, retryTransient } from '../db/errors.js';
import { insertRows } from '../db/insert-rows.js';
import type { AnalyticsSessionsTable } from '../db/schema.js';
import {
  dayOf,
  dictKinds,
  eventTypes,
  funnelSteps,
  hourOf,
  SESSION_GAP_S,
  visitorKinds,
  type DictKind,
  type EventType,
} from './codes.js';
import { RollupDeltas } from './rollup.js';

/** Session columns holding a dictionary-encoded string decided by the visit's first event. */
const sessionStringColumns = [
  'referrer',
  'engine',
  'utm_source',
  'utm_medium',
  'utm_campaign',
  'country',
  'region',
  'city',
  'browser',
  'browser_version',
  'os',
] as const;
type SessionString = (typeof sessionStringColumns)[number];

/** What a visit is, decided by its first event. Strings are dictionary-encoded on write. */
export interface VisitInfo {
  channel: number;
  device: number;
  client: 0 | 1;
  strings: Partial<Record<SessionString, string | null>>;
}

export interface Hit {
  /** Seconds since the analytics epoch. */
  at: number;
  /** null: counted without an id (GPC, Do Not Track). */
  visitor: string | null;
  /** The same browser under yesterday's salt, to continue a visit across midnight. */
  previousVisitor?: string | null;
  type: EventType;
  path: string;
  name?: string | null;
  props?: Record<string, string>;
  visit: VisitInfo;
}

/** At most this many hits share one transaction (the collector's batches, the thread's merges). */
export const MAX_BATCH = 1000;

/** The hits a write left out, by their index in the batch, each with the error refusing it. */
export type Refused = ReadonlyMap<number, unknown>;

/** What the collector writes through: this module's writer, in line or on a thread. */
export interface BatchWriter {
  /**
   * Commits the hits, or rejects having stored none of them (the database busy or failing). A
   * hit the database refuses for what it holds is left out on its own: the others commit, and
   * the answer names it (empty when every hit was stored).
   */
  write(hits: readonly Hit[]): Promise<Refused>;
  /**
   * Takes further batches while one is being written, and commits those that queued up together
   * (in order), settling each when its commit does; the collector then hands over each batch at
   * once instead of waiting for the last to be written.
   */
  gathers?: boolean;
  /** Gets ready ahead of the first batch (a thread starts). */
  start?(): void;
  close?(): Promise<void>;
}

type Session = Omit<AnalyticsSessionsTable, 'id'> & { id: number };

const funnelOf: Partial<Record<EventType, number>> = {
  form_start: funnelSteps.form_start,
  intake_submitted: funnelSteps.intake_submitted,
};

/** Recently active visits kept in memory; a visitor not here is looked up in the database. */
const OPEN_SESSIONS_MAX = 200_000;

/**
 * The analytics writer (docs/decisions/010-analytics-storage.md, 012-analytics-ingest.md). It
 * keeps, between batches, the dictionary and each recently active visitor's latest visit, so a
 * batch reads the database only for strings and visitors it has not met, and writes each table
 * with a few multi-row statements. On SQLite it is the only writer of the analytics tables (one
 * collector process) and trusts its memory of open visits. On PostgreSQL several instances write
 * (docs/deploy.md): a visitor's next page may reach another instance, so a batch locks its
 * visitors and reads their latest visits from the table; remembered ones would be stale.
 */
export function createWriter(db: Db): BatchWriter {
  const shared = !isSqlite(db);
  const dict = new Map<string, number>();
  // Insertion order is recency order: an entry is moved to the end whenever it is written.
  const open = new Map<string, Session>();
  const knownDays = new Set<string>();
  let knownDaysFor = -1;

  /** Writes a batch of hits in one transaction; nothing of a failed batch stays, on disk or here. */
  async function commit(hits: readonly Hit[]): Promise<void> {
    // A deadlock with the compactor or a lock held by another process fails the attempt, not
    // the batch: each attempt starts from memory as it was, since memory changes only on commit.
    const batch = await retryTransient(async () => {
      const attempt = new Batch(dict, shared ? new Map<string, Session>() : open);
      await db.transaction().execute(async (trx) => {
        if (shared) await lockVisitors(trx, hits);
        await attempt.resolveStrings(trx, hits);
        await attempt.loadVisitors(trx, hits);
        for (const hit of hits) attempt.apply(hit);
        await attempt.store(trx, knownDays);
      });
      return attempt;
    });
    // Committed: only now does memory learn what the batch wrote.
    for (const [k, v] of batch.learned) dict.set(k, v);
    for (const [visitor, s] of batch.latest) {
      if (!s) continue;
      open.delete(visitor);
      open.set(visitor, s);
    }
    const today = dayOf(hits[hits.length - 1]!.at);
    if (today !== knownDaysFor) {
      for (const d of knownDays) if (Number(d.split('\t')[0]) < today - 1) knownDays.delete(d);
      knownDaysFor = today;
    }
    for (const d of batch.days) knownDays.add(d);
    for (const d of batch.retired) knownDays.delete(d);
    forgetIdle(open, hits[hits.length - 1]!.at);
  }

  /**
   * A batch the database refused for a value one of its hits holds (text PostgreSQL cannot
   * store, say) is written again in halves, down to the hit at fault: that hit alone is refused,
   * and the others are stored in their order. Any other failure refuses the whole batch.
   */
  async function isolate(hits: readonly Hit[], from: number, refused: Map<number, unknown>) {
    const mid = Math.ceil(hits.length / 2);
    for (const [part, at] of [
      [hits.slice(0, mid), from],
      [hits.slice(mid), from + mid],
    ] as const) {
      try {
        await commit(part);
      } catch (err) {
        // Part of the batch may have committed already: from here on, failures are per hit.
        if (isDataError(err) && part.length > 1) await isolate(part, at, refused);
        else part.forEach((_, i) => refused.set(at + i, err));
      }
    }
  }

  async function write(hits: readonly Hit[]): Promise<Refused> {
    const refused = new Map<number, unknown>();
    if (hits.length === 0) return refused;
    try {
      await commit(hits);
    } catch (err) {
      if (!isDataError(err)) throw err;
      if (hits.length === 1) refused.set(0, err);
      else await isolate(hits, 0, refused);
    }
    return refused;
  }

  return { write };
}

/**
 * Takes a transaction-long lock on each visitor of the batch (PostgreSQL), in one order so two
 * instances' batches wait for each other instead of deadlocking: a visitor's visit is then read
 * and continued by one batch at a time, never started twice or overwritten with a stale count.
 */
async function lockVisitors(trx: Db, hits: readonly Hit[]): Promise<void> {
  const visitors = new Set<string>();
  for (const hit of hits)
    for (const v of [hit.visitor, hit.previousVisitor]) if (v) visitors.add(v);
  if (visitors.size === 0) return;
  await sql`
    select pg_advisory_xact_lock(k) from (
      select distinct hashtextextended(v, 17) as k from unnest(${[...visitors]}::text[]) as v
      order by k
    ) as ordered`.execute(trx);
}

/** Forgets visits idle for two session gaps (an hour), oldest first, and caps the map at its size. */
function forgetIdle(open: Map<string, Session>, now: number): void {
  for (const [visitor, s] of open) {
    if (open.size <= OPEN_SESSIONS_MAX && now - s.last_at < 2 * SESSION_GAP_S) break;
    open.delete(visitor);
  }
}

const dictKey = (kind: DictKind, value: string) => `${dictKinds[kind]}\t${value}`;

/** One batch's work: read what it needs, apply every hit in memory, then write. */
class Batch {
  readonly learned = new Map<string, number>();
  /** Each visitor's latest visit as the batch leaves it (null: the visitor has none). */
  readonly latest = new Map<string, Session | null>();
  readonly days = new Set<string>();
  /** Visitors with no visit in the table but one in a segment. */
  private readonly seenBefore = new Set<string>();
  /** Visitor days whose id the visit left for another (`day\tvisitor`), to delete. */
  readonly retired = new Set<string>();
  private readonly created: Session[] = [];
  private readonly dirty = new Set<Session>();
  private readonly deltas = new RollupDeltas();
  private readonly events: {
    at: number;
    session: Session | null;
    type: number;
    path: number;
    name: number | null;
  }[] = [];
  private readonly props: { event: number; key: number; value: number }[] = [];

  constructor(
    private readonly dict: Map<string, number>,
    private readonly open: Map<string, Session>,
  ) {}

  private id(kind: DictKind, value: string): number {
    const k = dictKey(kind, value);
    const id = this.dict.get(k) ?? this.learned.get(k);
    if (id === undefined) throw new Error(`analytics dictionary: ${kind} was not resolved`);
    return id;
  }

  /** Gives every string of the batch a dictionary id: unknown ones in one insert and one read. */
  async resolveStrings(trx: Db, hits: readonly Hit[]): Promise<void> {
    const missing = new Map<string, { kind: number; value: string }>();
    const need = (kind: DictKind, value: string | null | undefined) => {
      if (!value) return;
      const k = dictKey(kind, value);
      if (!this.dict.has(k)) missing.set(k, { kind: dictKinds[kind], value });
    };
    for (const hit of hits) {
      need('path', hit.path);
      if (hit.name) need(hit.type === 'outbound' ? 'outbound_host' : 'event_name', hit.name);
      for (const [k, v] of Object.entries(hit.props ?? {})) {
        need('prop_key', k);
        need('prop_value', v);
      }
      for (const c of sessionStringColumns) need(c, hit.visit.strings[c]);
    }
    if (missing.size === 0) return;
    const rows = [...missing.values()];
    // The ids of the strings this insert added come back with it; a string already there (put
    // by another process) is skipped by the insert and read.
    const inserted = await insertRows(trx, 'analytics_dict', rows, {
      onConflict: { name: 'ignore', clause: (oc) => oc.columns(['kind', 'value']).doNothing() },
      returning: ['id', 'kind', 'value'],
    });
    const learn = (r: Record<string, unknown>) => {
      const k = `${String(r.kind)}\t${String(r.value)}`;
      if (missing.delete(k)) this.learned.set(k, Number(r.id));
    };
    inserted.forEach(learn);
    const rest = [...missing.values()];
    for (let i = 0; i < rest.length; i += 500) {
      const found = await trx
        .selectFrom('analytics_dict')
        .select(['id', 'kind', 'value'])
        .where(
          'value',
          'in',
          rest.slice(i, i + 500).map((r) => r.value),
        )
        .execute();
      found.forEach(learn);
    }
  }

  /** Each visitor's latest visit, from memory or, for those not met lately, in one query. */
  async loadVisitors(trx: Db, hits: readonly Hit[]): Promise<void> {
    const unknown = new Set<string>();
    for (const hit of hits) {
      // A visit open under today's id needs no look-up under the previous one.
      const open = hit.visitor ? this.open.get(hit.visitor) : undefined;
      const openNow = open && hit.at - open.last_at < SESSION_GAP_S && hit.at >= open.started_at;
      for (const v of openNow ? [hit.visitor] : [hit.visitor, hit.previousVisitor]) {
        if (!v || this.latest.has(v)) continue;
        const cached = this.open.get(v);
        // A copy: the batch changes it, and a batch that fails must leave memory as it was.
        if (cached) this.latest.set(v, { ...cached });
        else unknown.add(v);
      }
    }
    const list = [...unknown];
    for (let i = 0; i < list.length; i += 512) {
      const rows = await latestSessions(trx, list.slice(i, i + 512));
      for (const r of rows) if (r.visitor) this.latest.set(r.visitor, r);
    }
    const none = [...unknown].filter((v) => !this.latest.has(v));
    for (const v of none) this.latest.set(v, null);
    // Visits of closed days have left analytics_sessions for segments (decision 014); the
    // visitor is still returning if one of them was theirs.
    for (let i = 0; i < none.length; i += 512) {
      const rows = await trx
        .selectFrom('analytics_visitors')
        .where('visitor', 'in', none.slice(i, i + 512))
        .select('visitor')
        .execute();
      for (const r of rows) this.seenBefore.add(r.visitor);
    }
  }

  /** One hit's effect on its visit, the rollups and the rows to write; all in memory. */
  apply(hit: Hit): void {
    const path = this.id('path', hit.path);
    const name = hit.name
      ? this.id(hit.type === 'outbound' ? 'outbound_host' : 'event_name', hit.name)
      : null;
    countEvent(this.deltas, hit, path, name);
    // Without a visitor id (GPC, Do Not Track) only a page view can stand for a visit: a click or
    // a form step cannot be tied to the visit it belongs to, and is counted as an event only.
    const s = hit.visitor || hit.type === 'pageview' ? this.visitOf(hit, path) : null;
    if (s) {
      applyEvent(this.deltas, s, hit, path);
      this.dirty.add(s);
      if (s.visitor) this.days.add(`${dayOf(hit.at)}\t${s.visitor}`);
    }
    this.events.push({ at: hit.at, session: s, type: eventTypes[hit.type], path, name });
    if (name === null) return;
    const event = this.events.length - 1;
    for (const [k, v] of Object.entries(hit.props ?? {})) {
      const [key, value] = [this.id('prop_key', k), this.id('prop_value', v)];
      this.props.push({ event, key, value });
      this.deltas.prop(hourOf(hit.at), name, key, value);
    }
  }

  /** The visit this hit belongs to: the visitor's open one, or a new one. */
  private visitOf(hit: Hit, path: number): Session {
    const open = this.continued(hit);
    if (open) return open;
    const s = this.startSession(hit, path);
    this.deltas.startSession(s);
    return s;
  }

  /**
   * The visitor's open visit (last event under 30 minutes ago), under its id or its previous one
   * (yesterday's salt, or the cookieless id it had before consenting to the cookie). A visit
   * found under the previous id carries on under the new one, so it is not split in two and the
   * browser is known as returning next time.
   */
  private continued(hit: Hit): Session | null {
    for (const visitor of [hit.visitor, hit.previousVisitor]) {
      const s = visitor ? this.latest.get(visitor) : null;
      if (s && hit.at - s.last_at < SESSION_GAP_S && hit.at >= s.started_at) {
        if (visitor !== hit.visitor && hit.visitor) {
          s.visitor = hit.visitor;
          this.remember(hit.visitor, s);
          // One browser, one visitor today: the id it leaves (the cookieless hash it had before
          // consenting) no longer counts as another. After midnight there is no such row.
          this.retired.add(`${dayOf(hit.at)}\t${visitor}`);
        }
        return s;
      }
    }
    return null;
  }

  /** Keeps the visit with the latest last event as the visitor's latest, as the table would. */
  private remember(visitor: string, s: Session): void {
    const known = this.latest.get(visitor);
    if (!known || s.last_at >= known.last_at) this.latest.set(visitor, s);
  }

  private startSession(hit: Hit, path: number): Session {
    const seen = hit.visitor
      ? this.latest.get(hit.visitor) || this.seenBefore.has(hit.visitor)
      : false;
    const s: Session = {
      id: 0, // given in store(), once the batch knows how many ids it needs
      visitor: hit.visitor,
      started_at: hit.at,
      last_at: hit.at,
      pageviews: 0,
      events: 0,
      entry_path: path,
      exit_path: path,
      channel: hit.visit.channel,
      referrer: null,
      engine: null,
      utm_source: null,
      utm_medium: null,
      utm_campaign: null,
      country: null,
      region: null,
      city: null,
      browser: null,
      browser_version: null,
      os: null,
      device: hit.visit.device,
      visitor_kind: !hit.visitor
        ? visitorKinds.unknown
        : seen
          ? visitorKinds.returning
          : visitorKinds.new,
      client: hit.visit.client,
      funnel: funnelSteps.landing,
    };
    for (const c of sessionStringColumns) {
      const v = hit.visit.strings[c];
      if (v) s[c] = this.id(c, v);
    }
    this.created.push(s);
    if (hit.visitor) this.remember(hit.visitor, s);
    return s;
  }

  /** Writes the batch: new and changed visits, events, props, visitor days and rollup deltas. */
  async store(trx: Db, knownDays: ReadonlySet<string>): Promise<void> {
    const sessionIds = await nextIds(trx, 'analytics_sessions', this.created.length);
    this.created.forEach((s, i) => (s.id = sessionIds[i]!));
    const sessions = [...this.dirty].map((s) => ({ ...s }));
    await insertRows(trx, 'analytics_sessions', sessions, {
      onConflict: {
        name: 'progress',
        clause: (oc) =>
          oc.column('id').doUpdateSet((eb) => ({
            visitor: eb.ref('excluded.visitor'),
            last_at: eb.ref('excluded.last_at'),
            pageviews: eb.ref('excluded.pageviews'),
            events: eb.ref('excluded.events'),
            exit_path: eb.ref('excluded.exit_path'),
            funnel: eb.ref('excluded.funnel'),
          })),
      },
    });
    // Event ids are given here only for the events that carry props, which must name them.
    const withProps = new Set(this.props.map((p) => p.event));
    const eventIds = await nextIds(trx, 'analytics_events', withProps.size);
    const idOf = new Map([...withProps].map((e, i) => [e, eventIds[i]!]));
    const rows = this.events.map((e) => ({
      at: e.at,
      // 0: an event without a visit (no visitor id, not a page view).
      session_id: e.session?.id ?? 0,
      type: e.type,
      path: e.path,
      name: e.name,
    }));
    // Named rows first: on SQLite, the unnamed ones are then numbered after them.
    await insertRows(
      trx,
      'analytics_events',
      [...idOf].map(([i, id]) => ({ id, ...rows[i]! })),
    );
    await insertRows(
      trx,
      'analytics_events',
      rows.filter((_, i) => !idOf.has(i)),
    );
    await insertRows(
      trx,
      'analytics_event_props',
      this.props.map((p) => ({
        event_id: idOf.get(p.event)!,
        prop_key: p.key,
        prop_value: p.value,
      })),
    );
    for (const d of this.retired) {
      const [day, visitor] = d.split('\t') as [string, string];
      await trx
        .deleteFrom('analytics_visitor_days')
        .where('day', '=', Number(day))
        .where('visitor', '=', visitor)
        .execute();
    }
    const days = [...this.days]
      .filter((d) => !knownDays.has(d) && !this.retired.has(d))
      .map((d) => {
        const [day, visitor] = d.split('\t') as [string, string];
        return { day: Number(day), visitor };
      });
    await insertRows(trx, 'analytics_visitor_days', days, {
      onConflict: { name: 'ignore', clause: (oc) => oc.columns(['day', 'visitor']).doNothing() },
    });
    await this.deltas.flush(trx);
  }
}

/**
 * Each visitor's latest visit. The list is padded to a power of two by repeating its last entry,
 * so the query is compiled for a handful of lengths only.
 */
async function latestSessions(trx: Db, visitors: string[]): Promise<Session[]> {
  let size = 1;
  while (size < visitors.length) size *= 2;
  const padded = [...visitors];
  while (padded.length < size) padded.push(visitors[visitors.length - 1]!);
  const { rows } = await runCompiled(trx, `analytics-latest|${size}`, padded, () =>
    trx
      .selectFrom('analytics_sessions as s')
      .selectAll()
      .where('s.visitor', 'in', padded)
      .where('s.last_at', '=', (eb) =>
        eb
          .selectFrom('analytics_sessions as t')
          .select((e) => e.fn.max('t.last_at').as('m'))
          .whereRef('t.visitor', '=', 's.visitor'),
      )
      .compile(),
  );
  return rows;
}

/**
 * Reserves `n` ids of a table's auto-numbered key, so multi-row inserts can name their rows
 * (neither engine promises the order of ids a multi-row insert returns). On SQLite the batch's
 * transaction is the only writer, so the next ids follow the table's AUTOINCREMENT counter.
 */
async function nextIds(
  trx: Db,
  table: 'analytics_sessions' | 'analytics_events',
  n: number,
): Promise<number[]> {
  if (n === 0) return [];
  if (isSqlite(trx)) {
    const { rows } = await runCompiled(trx, `analytics-last-id|${table}`, [table], () =>
      sql<{ last: number | null }>`
        select max(coalesce((select seq from sqlite_sequence where name = ${table}), 0),
                   coalesce((select max(id) from ${sql.table(table)}), 0)) as last`.compile(trx),
    );
    const last = Number(rows[0]?.last ?? 0);
    return Array.from({ length: n }, (_, i) => last + 1 + i);
  }
  const { rows } = await runCompiled(trx, `analytics-next-ids|${table}`, [table, n], () =>
    sql<{ id: number }>`
      select nextval(pg_get_serial_sequence(${table}, 'id'))::int as id
      from generate_series(1, ${n}::int)`.compile(trx),
  );
  return rows.map((r) => Number(r.id));
}

/** The rollups counted in the hour an event happened, whatever visit it belongs to. */
function countEvent(deltas: RollupDeltas, hit: Hit, path: number, name: number | null): void {
  const hour = hourOf(hit.at);
  if (hit.type === 'pageview') deltas.add('page', hour, path, { pageviews: 1 });
  else if (name !== null && hit.type === 'custom') deltas.add('event', hour, name, { events: 1 });
  else if (name !== null && hit.type === 'outbound')
    deltas.add('outbound', hour, name, { events: 1 });
}

/** One event's effect on its visit and on the visit's rollups. */
function applyEvent(deltas: RollupDeltas, s: Session, hit: Hit, path: number): void {
  const startHour = hourOf(s.started_at);
  const grow = Math.max(0, hit.at - s.last_at);
  const measures = { duration: grow, pageviews: 0, bounces: 0, events: 0 };
  if (hit.type === 'pageview') {
    s.pageviews += 1;
    measures.pageviews = 1;
    if (s.pageviews === 2) measures.bounces = -1;
  } else {
    s.events += 1;
    measures.events = 1;
  }
  deltas.visit(s, measures);
  s.last_at = Math.max(s.last_at, hit.at);
  // The exit page is the last page viewed; clicks and form steps happen on it.
  if (hit.type === 'pageview' && s.exit_path !== path) {
    if (s.exit_path !== null) deltas.add('exit_page', startHour, s.exit_path, { visits: -1 });
    deltas.add('exit_page', startHour, path, { visits: 1 });
    s.exit_path = path;
  }
  const step = funnelOf[hit.type] ?? 0;
  for (let k = s.funnel + 1; k <= step; k += 1) deltas.add('funnel', startHour, k, { visits: 1 });
  s.funnel = Math.max(s.funnel, step);
}
