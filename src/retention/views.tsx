import { ConsoleLayout, Time, show, type ConsoleFrame } from '../console/layout.js';
import { DataTable } from '../console/table.js';
import type { RetentionOverview } from './console-service.js';
import { HoldRows, PlaceHoldForm, type HoldFormState } from './hold-views.js';

export interface RetentionPageProps extends ConsoleFrame {
  view: RetentionOverview;
  /** Outcome of "run now", announced at the top. */
  notice?: string | undefined;
  error?: string | undefined;
  holdForm?: HoldFormState | undefined;
}

export function RetentionPage(p: RetentionPageProps) {
  const { view } = p;
  return (
    <ConsoleLayout
      site={p.site}
      title="Retention"
      staff={p.staff}
      csrf={p.csrf}
      current="/console/retention"
    >
      <h1>Retention</h1>
      <p class="console-note">
        Each kind of record is deleted when its period ends, unless a legal hold covers it. The job
        runs by itself on a schedule. Records under a legal hold are not counted. Counts are as of{' '}
        <Time iso={view.now.toISOString()} />.
      </p>
      {p.error ? (
        <p class="console-alert" role="alert">
          {p.error}
        </p>
      ) : null}
      {p.notice ? <p role="status">{p.notice}</p> : null}
      <DueTable rules={view.rules} />
      <RunForm csrf={p.csrf} />
      <section aria-labelledby="holds-h" id="holds">
        <h2 id="holds-h">Legal holds</h2>
        <p>
          A lead under an active hold is not deleted, nor are its submissions, history or consents.
        </p>
        <HoldRows
          holds={view.holds}
          csrf={p.csrf}
          staff={p.staff}
          caption="Active holds"
          returnTo="retention"
        />
        <PlaceHoldForm csrf={p.csrf} state={p.holdForm} />
        {view.released.length > 0 ? (
          <HoldRows
            holds={view.released}
            csrf={p.csrf}
            staff={p.staff}
            caption="Recently released"
            returnTo="retention"
          />
        ) : null}
      </section>
      <Runs runs={view.runs} rules={view.rules} />
    </ConsoleLayout>
  );
}

function DueTable({ rules }: { rules: RetentionOverview['rules'] }) {
  return (
    <DataTable
      caption="What is due"
      captionId="due-caption"
      headings={['Records', 'Kept', 'Due now', 'Due in the next 30 days', 'Next one due']}
    >
      {rules.map((r) => (
        <tr id={`rule-${r.key}`}>
          <th scope="row">{r.title}</th>
          <td>{`${r.period}, then ${r.action}`}</td>
          <td>{String(r.due)}</td>
          <td>{String(r.dueSoon)}</td>
          <td>{r.nextDue ? <Time iso={r.nextDue.toISOString()} /> : 'None stored'}</td>
        </tr>
      ))}
    </DataTable>
  );
}

function RunForm({ csrf }: { csrf: string }) {
  return (
    <form class="console-status" method="post" action="/console/retention/run">
      <input type="hidden" name="_csrf" value={csrf} />
      <button class="console-button" type="submit" name="mode" value="run">
        Run now
      </button>
      <button class="console-button secondary" type="submit" name="mode" value="dry_run">
        Dry run (count only, change nothing)
      </button>
    </form>
  );
}

function Runs({
  runs,
  rules,
}: {
  runs: RetentionOverview['runs'];
  rules: RetentionOverview['rules'];
}) {
  return (
    <section aria-labelledby="runs-h">
      <h2 id="runs-h">Last runs</h2>
      {runs.length === 0 ? (
        <p>No run has been recorded yet.</p>
      ) : (
        <DataTable
          labelledBy="runs-h"
          headings={[
            'Started',
            'Started by',
            'Kind',
            ...rules.map((r) => r.key),
            'Total',
            'Outcome',
          ].map((h) => labelFor(h, rules))}
        >
          {runs.map((run) => (
            <tr>
              <td data-label="Started">
                <Time iso={run.started_at} />
              </td>
              <td data-label="Started by">{triggerLabels[run.trigger] ?? show(run.trigger)}</td>
              <td data-label="Kind">{run.dry_run === 1 ? 'Dry run' : 'Deletion'}</td>
              {rules.map((r) => (
                <td data-label={r.title}>{show(run.counts[r.key]?.records ?? null)}</td>
              ))}
              <td data-label="Total">
                {String(Object.values(run.counts).reduce((s, c) => s + (c.records ?? 0), 0))}
              </td>
              <td data-label="Outcome">{outcome(run)}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </section>
  );
}

const triggerLabels: Record<string, string> = {
  scheduled: 'Schedule',
  cli: 'Command line',
  console: 'Console',
};

/** Column heads: the rule keys are short, so each names its records in full for screen readers. */
function labelFor(h: string, rules: RetentionOverview['rules']) {
  const rule = rules.find((r) => r.key === h);
  return rule ? <abbr title={rule.title}>{h.replace('_', ' ')}</abbr> : h;
}

function outcome(run: RetentionOverview['runs'][number]) {
  if (run.error) return `Stopped: ${run.error}`;
  if (!run.finished_at) return 'Did not finish';
  return (
    <>
      Finished <Time iso={run.finished_at} />
    </>
  );
}
