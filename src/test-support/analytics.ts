import type { Db } from '../db/database.js';

/** Empties every table of visits, events and counts, so a property run starts from nothing. */
export async function clearAnalytics(db: Db): Promise<void> {
  for (const t of [
    'analytics_events',
    'analytics_event_props',
    'analytics_sessions',
    'analytics_rollup',
    'analytics_prop_rollup',
    'analytics_visitor_days',
    'analytics_segment_columns',
    'analytics_segments',
    'analytics_visitors',
  ] as const) {
    await db.deleteFrom(t).execute();
  }
}
