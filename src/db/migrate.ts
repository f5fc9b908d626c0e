import { Migrator, type Migration, type MigrationProvider } from 'kysely';
import type { Db } from './database.js';
import * as m0001 from './migrations/0001_initial.js';
import * as m0002 from './migrations/0002_encryption.js';
import * as m0003 from './migrations/0003_audit.js';
import * as m0004 from './migrations/0004_disclosures.js';
import * as m0005 from './migrations/0005_retention.js';
import * as m0006 from './migrations/0006_incidents.js';
import * as m0007 from './migrations/0007_privacy_requests.js';
import * as m0008 from './migrations/0008_subject_links.js';
import * as m0009 from './migrations/0009_consent_policy_version.js';
import * as m0010 from './migrations/0010_cookie_consents.js';
import * as m0011 from './migrations/0011_tags.js';
import * as m0012 from './migrations/0012_analytics.js';
import * as m0016 from './migrations/0016_suppression_key.js';
import * as m0017 from './migrations/0017_policy_revisions.js';
import * as m0018 from './migrations/0018_analytics_visit_events.js';
import * as m0019 from './migrations/0019_analytics_segments.js';
import * as m0020 from './migrations/0020_analytics_visitors_last_at.js';
import * as m0021 from './migrations/0021_analytics_prop_rollup_by_key.js';
import * as m0022 from './migrations/0022_audit_keyed_chain.js';
import * as m0023 from './migrations/0023_lead_identity_by_email.js';
import * as m0024 from './migrations/0024_login_failures.js';
import * as m0025 from './migrations/0025_gpc_daily.js';
import * as m0026 from './migrations/0026_disclosure_evidence.js';
import * as m0027 from './migrations/0027_phone_without_sms_consent.js';
import * as m0028 from './migrations/0028_tag_vendors_and_audit_purges.js';
import * as m0029 from './migrations/0029_second_factor_and_sessions.js';
import * as m0030 from './migrations/0030_staff_management.js';
import * as m0031 from './migrations/0031_job_leases.js';
import * as m0032 from './migrations/0032_answers_no_longer_asked.js';

// Migrations are imported, not globbed, so the compiled build and tsx see the same list.
const migrations: Record<string, Migration> = {
  '0001_initial': m0001,
  '0002_encryption': m0002,
  '0003_audit': m0003,
  '0004_disclosures': m0004,
  '0005_retention': m0005,
  '0006_incidents': m0006,
  '0007_privacy_requests': m0007,
  '0008_subject_links': m0008,
  '0009_consent_policy_version': m0009,
  '0010_cookie_consents': m0010,
  '0011_tags': m0011,
  '0012_analytics': m0012,
  '0016_suppression_key': m0016,
  '0017_policy_revisions': m0017,
  '0018_analytics_visit_events': m0018,
  '0019_analytics_segments': m0019,
  '0020_analytics_visitors_last_at': m0020,
  '0021_analytics_prop_rollup_by_key': m0021,
  '0022_audit_keyed_chain': m0022,
  '0023_lead_identity_by_email': m0023,
  '0024_login_failures': m0024,
  '0025_gpc_daily': m0025,
  '0026_disclosure_evidence': m0026,
  '0027_phone_without_sms_consent': m0027,
  '0028_tag_vendors_and_audit_purges': m0028,
  '0029_second_factor_and_sessions': m0029,
  '0030_staff_management': m0030,
  '0031_job_leases': m0031,
  '0032_answers_no_longer_asked': m0032,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** The migrations this version knows (a restore refuses a database that ran later ones). */
export const knownMigrations = (): string[] => Object.keys(migrations);

export async function migrateToLatest(db: Db): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error)
    throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/** Up to and including one migration: a test seeds rows in the shape a later one finds. */
export async function migrateTo(db: Db, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateTo(name);
  if (error)
    throw error instanceof Error ? error : new Error(`migration failed: ${JSON.stringify(error)}`);
}
