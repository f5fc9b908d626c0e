import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { retentionCommand } from '../cli/retention.js';
import { createTestApp, type TestApp } from '../test-support/app.js';
import { insertLead, monthsBefore } from '../test-support/retention.js';

// The CLI uses the system clock, so the rows are dated from the real now.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

async function cli(...args: string[]) {
  const lines: string[] = [];
  const code = await retentionCommand(t.config, args, (l) => lines.push(l));
  return { code, out: lines.join('\n') };
}

describe('starspmb retention run', () => {
  it('prints per rule what would go with --dry-run, then what went, with the total', async () => {
    const old = await insertLead(t.db, t.kernel, monthsBefore(new Date(), 26));
    await insertLead(t.db, t.kernel, monthsBefore(new Date(), 1));

    const dry = await cli('run', '--dry-run');
    expect(dry.code).toBe(0);
    expect(dry.out).toContain('nothing was changed');
    expect(dry.out).toMatch(/^ {2}lead +1 would be deleted \(with 1 submissions, 1 events\)/m);
    expect(dry.out).toMatch(/^ {2}outbox_sent +2 would be deleted/m);
    expect(dry.out).toContain('Total: 3 records would be deleted.');
    expect(
      await t.db.selectFrom('leads').select('id').where('id', '=', old).executeTakeFirst(),
    ).toBeDefined();

    const real = await cli('run');
    expect(real.code).toBe(0);
    expect(real.out).toMatch(/^ {2}lead +1 deleted/m);
    expect(real.out).toContain('Total: 3 records deleted.');
    expect(
      await t.db.selectFrom('leads').select('id').where('id', '=', old).executeTakeFirst(),
    ).toBeUndefined();

    expect((await cli('run')).out).toContain('Total: 0 records deleted.');
    const triggers = await t.db.selectFrom('retention_runs').select('trigger').execute();
    expect(triggers.every((r) => r.trigger === 'cli')).toBe(true);
  });

  it('explains its usage on a wrong command or option', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect((await cli('purge')).code).toBe(1);
      expect((await cli('run', '--force')).code).toBe(1);
      expect(errors.mock.calls.flat().join('\n')).toContain(
        'Usage: starspmb retention run [--dry-run]',
      );
    } finally {
      errors.mockRestore();
    }
  });
});
