// A unique-constraint violation, recognised the same way on both engines.
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string } | null;
  return (
    e?.code === '23505' ||
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    e?.code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}

// Failures that say "not now" rather than "not this": PostgreSQL aborting one side of a deadlock
// or a serialization conflict, a lock it could not take, SQLite's write lock held by another
// connection past the busy timeout. The same transaction run again can succeed.
const transientCodes = new Set([
  '40001',
  '40P01',
  '55P03',
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_RECOVERY',
  'SQLITE_LOCKED',
]);
export function isTransient(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && transientCodes.has(code);
}

// Failures that say "the database cannot be reached": the connection refused, reset or cut
// (PostgreSQL's class 08 and its shutdown codes, the socket's own errors, and pg's messages for a
// connection that ended under a query). Nothing the request did was acknowledged; the same
// request can succeed once the database is back.
const unavailableCodes = new Set([
  '57P01',
  '57P02',
  '57P03',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
]);
const unavailableMessages =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable)/;
export function isUnavailable(err: unknown): boolean {
  const e = err as { code?: unknown; message?: unknown } | null;
  if (
    typeof e?.code === 'string' &&
    (unavailableCodes.has(e.code) || /^08[0-9A-Z]{3}$/.test(e.code))
  )
    return true;
  return typeof e?.message === 'string' && unavailableMessages.test(e.message);
}

// Failures that say "not this value": a statement refused for what it holds (PostgreSQL's data
// exceptions and constraint violations, such as text holding U+0000; SQLite's constraints and type
// errors). The same work without the unit that brought the value can succeed.
const dataCodes = /^(2[23][0-9A-Z]{3}|SQLITE_(CONSTRAINT|MISMATCH|TOOBIG|RANGE)(_[A-Z]+)?)$/;
export function isDataError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && dataCodes.test(code);
}

/**
 * Runs `attempt` again after a transient failure, waiting a little longer each time; any other
 * failure, or the last transient one, is thrown. `attempt` must leave nothing behind when it fails
 * (a transaction that rolled back, memory it works on only as copies).
 */
export async function retryTransient<T>(
  attempt: () => Promise<T>,
  delaysMs: readonly number[] = [25, 100, 400],
): Promise<T> {
  for (let i = 0; ; i += 1) {
    try {
      return await attempt();
    } catch (err) {
      if (!isTransient(err) || i >= delaysMs.length) throw err;
      await new Promise((r) => setTimeout(r, delaysMs[i]! * (0.5 + Math.random())));
    }
  }
}
