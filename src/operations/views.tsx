import { ConsoleLayout, Time, type ConsoleFrame } from '../console/layout.js';
import { DataTable } from '../console/table.js';
import type { BackupState, FailingMessage } from './service.js';

const kindLabel = (kind: string) => kind.replace(/_/g, ' ');
const size = (bytes: number) =>
  bytes >= 1_048_576 ? `${(bytes / 1_048_576).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;

export function OperationsPage(
  p: ConsoleFrame & { failing: readonly FailingMessage[]; backups: BackupState },
) {
  return (
    <ConsoleLayout
      site={p.site}
      title="Operations"
      staff={p.staff}
      csrf={p.csrf}
      current="/console/operations"
    >
      <h1>Operations</h1>
      <section aria-labelledby="outbox-h">
        <h2 id="outbox-h">Messages failing to send</h2>
        {p.failing.length === 0 ? (
          <p>Every message has been sent or is waiting for its first try.</p>
        ) : (
          <>
            <p class="console-note">
              Each is tried again later, up to once an hour. Recipients are not shown here; the
              error says why the mail server refused.
            </p>
            <DataTable
              labelledBy="outbox-h"
              headings={['Kind', 'Queued', 'Tries', 'Next try', 'Last error']}
            >
              {p.failing.map((m) => (
                <tr>
                  <td>{kindLabel(m.kind)}</td>
                  <td>
                    <Time iso={m.createdAt} />
                  </td>
                  <td>{String(m.attempts)}</td>
                  <td>
                    <Time iso={m.nextAttemptAt} />
                  </td>
                  <td>{m.error}</td>
                </tr>
              ))}
            </DataTable>
          </>
        )}
      </section>
      <section aria-labelledby="backups-h">
        <h2 id="backups-h">Daily backups</h2>
        <Backups state={p.backups} />
      </section>
    </ConsoleLayout>
  );
}

function Backups({ state }: { state: BackupState }) {
  if (state.status === 'off')
    return (
      <p>
        The daily backup is off. Set <code>BACKUP_DIR</code> (and <code>BACKUP_KEEP</code>) and
        restart; see docs/backup.md.
      </p>
    );
  if (state.status === 'none') return <p>No daily backup has been written yet.</p>;
  return (
    <>
      {state.status === 'stale' ? (
        <p class="console-alert">The newest backup is more than a day old: check the server log.</p>
      ) : null}
      <DataTable labelledBy="backups-h" headings={['Taken', 'File', 'Size']}>
        {state.kept.map((b) => (
          <tr>
            <td>
              <Time iso={b.at.toISOString()} />
            </td>
            <td>{b.name}</td>
            <td>{size(b.bytes)}</td>
          </tr>
        ))}
      </DataTable>
    </>
  );
}
