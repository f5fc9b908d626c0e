import { DataTable } from '../console/table.js';
import { ConsoleLayout, Time, type ConsoleFrame } from '../console/layout.js';

export interface SessionRow {
  ref: string;
  device: string;
  signedInAt: string;
  lastSeenAt: string;
  current: boolean;
}

/** /console/account/sessions: where this account is signed in, and a way to end each. */
export function SessionsPage(p: ConsoleFrame & { sessions: SessionRow[]; done?: string }) {
  const others = p.sessions.filter((s) => !s.current).length;
  return (
    <ConsoleLayout site={p.site} title="Your sessions" staff={p.staff} csrf={p.csrf}>
      <h1>Your sessions</h1>
      <p>
        Where your account is signed in now. A session ends after 15 minutes without use and 12
        hours after sign-in at most. If you do not recognise one, sign it out and change your
        password.
      </p>
      {p.done ? (
        <p class="console-alert" role="status">
          {p.done}
        </p>
      ) : null}
      <DataTable caption="Signed-in sessions" headings={['Device', 'Signed in', 'Last seen', '']}>
        {p.sessions.map((s) => (
          <tr>
            <td>
              {s.device}
              {s.current ? <strong> (this session)</strong> : null}
            </td>
            <td>
              <Time iso={s.signedInAt} />
            </td>
            <td>
              <Time iso={s.lastSeenAt} />
            </td>
            <td>
              {s.current ? null : (
                <form method="post" action="/console/account/sessions/revoke">
                  <input type="hidden" name="_csrf" value={p.csrf} />
                  <input type="hidden" name="session" value={s.ref} />
                  <button
                    class="console-button secondary"
                    type="submit"
                    aria-label={`Sign out ${s.device}, last seen ${s.lastSeenAt.slice(0, 16)}`}
                  >
                    Sign out
                  </button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </DataTable>
      {others > 0 ? (
        <form method="post" action="/console/account/sessions/revoke-others">
          <input type="hidden" name="_csrf" value={p.csrf} />
          <button class="console-button" type="submit">
            Sign out all other sessions
          </button>
        </form>
      ) : (
        <p class="console-note">This is your only session.</p>
      )}
    </ConsoleLayout>
  );
}
