import { createHash } from 'node:crypto';
import { sql, type Kysely } from 'kysely';
import { runCompiled } from '../db/compiled.js';
import type { Database, PolicyRevisionsTable } from '../db/schema.js';
import type { PolicyProcessor, PolicyTagVendor } from './policy.js';
import { currentPolicy, policyVersions, type PolicyVersion } from './policy-versions.js';

// The policy's versions are those shipped with the code (a test pins each to the data map) plus
// those an admin makes at run time by changing the service-provider registry, which the page
// prints. Every registry change that changes the printed list is a new version with its date and
// a line in the change log, so the page never changes silently.
//
// A registry change is published as not material: a service provider acts only for us, under
// contract, for a purpose the policy already states, so it does not change what anyone agreed
// to. A change that does (a new purpose, a new kind of recipient) needs a shipped version.

type Db = Kysely<Database>;

export interface PolicyState {
  processors: PolicyProcessor[];
  vendors: PolicyTagVendor[];
  version: PolicyVersion;
  history: PolicyVersion[];
}

export type RegistrySource = PolicyRevisionsTable['source'];

/** Of a registry as printed: order-independent, so re-saving an entry unchanged adds nothing. */
export function registryFingerprint(
  printed: readonly (PolicyProcessor | PolicyTagVendor)[],
): string {
  const entries = printed.map((p) => JSON.stringify(p)).sort();
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex').slice(0, 16);
}

async function revisionsOf(db: Db) {
  return db
    .selectFrom('policy_revisions')
    .selectAll()
    .orderBy('created_at')
    .orderBy('version')
    .execute();
}

/**
 * Publishes a new version when the registry's printed content differs from what the latest
 * version printed. Call inside the transaction that changed the registry, after the change.
 */
export async function publishRegistryChange(
  trx: Db,
  source: RegistrySource,
  printed: readonly (PolicyProcessor | PolicyTagVendor)[],
  summary: string,
  at: Date,
): Promise<PolicyVersion | null> {
  const fingerprint = registryFingerprint(printed);
  const revisions = await revisionsOf(trx);
  const onBase = revisions.filter((r) => r.base_version === currentPolicy.version);
  const previous = revisions.filter((r) => r.source === source).at(-1)?.fingerprint;
  if (previous === fingerprint) return null;
  const version = `${currentPolicy.version}.${onBase.length + 1}`;
  const effective = at.toISOString().slice(0, 10);
  await trx
    .insertInto('policy_revisions')
    .values({
      version,
      base_version: currentPolicy.version,
      effective,
      created_at: at.toISOString(),
      source,
      fingerprint,
      summary,
    })
    .execute();
  return { version, effective, fingerprint, material: false, summary };
}

/** The versions in order: each shipped version followed by the registry changes made on it. */
export async function policyHistory(db: Db): Promise<PolicyVersion[]> {
  const revisions = await revisionsOf(db);
  return policyVersions.flatMap((v) => [
    v,
    ...revisions
      .filter((r) => r.base_version === v.version)
      .map((r) => ({
        version: r.version,
        effective: r.effective,
        fingerprint: r.fingerprint,
        material: false,
        summary: r.summary,
      })),
  ]);
}

/** What /privacy prints now: the registries, the version in force and the change log. */
export async function policyState(
  db: Db,
  processors: () => Promise<PolicyProcessor[]>,
  vendors: () => Promise<readonly PolicyTagVendor[]> = async () => [],
): Promise<PolicyState> {
  const [list, tags, history] = await Promise.all([processors(), vendors(), policyHistory(db)]);
  return { processors: list, vendors: [...tags], version: history.at(-1)!, history };
}

// The mark is read once a second at most per database (a cached page is served in between):
// another instance's change shows within that second, this instance's at once, because every
// writer of the registries forgets the mark when its change commits.
const MARK_FRESH_MS = 1000;
const marks = new WeakMap<Db, { mark: Promise<string>; until: number }>();

/** The mark below, read again when a second has passed or this instance changed a registry. */
export function currentPolicyMark(db: Db): Promise<string> {
  const now = performance.now();
  const kept = marks.get(db);
  if (kept && now < kept.until) return kept.mark;
  const mark = policyMark(db);
  marks.set(db, { mark, until: now + MARK_FRESH_MS });
  // A failed read is not kept: the next request asks the database again.
  mark.catch(() => marks.delete(db));
  return mark;
}

/** Called by each writer of the registries /privacy and /cookies print, once its change commits. */
export const registryChanged = (db: Db): void => void marks.delete(db);

/**
 * A mark that changes whenever what /privacy and /cookies print may have changed: a new version
 * or a tag registered or switched (the registries publish a version for every change they print).
 * One small query, so a cached page can be served with the registry read on every request.
 */
export async function policyMark(db: Db): Promise<string> {
  const { rows } = await runCompiled(db, 'policyMark', [], () =>
    sql<{ revisions: number; revised: string | null; tags: number; tagged: string | null }>`
      select (select count(*) from policy_revisions) as revisions,
             (select max(created_at) from policy_revisions) as revised,
             (select count(*) from tags) as tags,
             (select max(updated_at) from tags) as tagged`.compile(db),
  );
  const r = rows[0]!;
  return `${r.revisions}.${r.revised ?? ''}.${r.tags}.${r.tagged ?? ''}`;
}
