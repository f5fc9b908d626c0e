import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addDays, HOUR_MS } from '../adapters/dates.js';
import { enqueue } from '../outbox/repository.js';
import { arrivingRequest } from '../privacy-center/repository.js';
import { createTestApp, TestClock, type TestApp } from '../test-support/app.js';
import { getAs, staffJar } from '../test-support/staff.js';
import { withoutAddresses } from './service.js';

// The console's home says what needs doing, per role; the operations screen shows what does not
// go out and whether the backups exist, without naming anyone.

const backupDir = fs.mkdtempSync(path.join(os.tmpdir(), 'starspmb-ops-backups-'));
const clock = new TestClock();
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock, env: { BACKUP_DIR: backupDir } });
});
afterAll(async () => {
  await t.close();
  fs.rmSync(backupDir, { recursive: true, force: true });
});

const tile = (body: string, label: string) => {
  const at = body.indexOf(label);
  expect(at, `tile "${label}"`).toBeGreaterThan(-1);
  const start = body.lastIndexOf('<li class="home-tile', at);
  return body.slice(start, body.indexOf('</li>', at));
};

const request = (id: string, due: Date) =>
  arrivingRequest({
    id,
    created_at: addDays(due, -45).toISOString(),
    kind: 'access',
    channel: 'web',
    status: 'verified',
    email: null,
    email_index: null,
    lead_ids: '[]',
    receipt_due_at: addDays(due, -35).toISOString(),
    due_at: due.toISOString(),
    closed_at: null,
  });

describe('the console home', () => {
  it('shows a privacy officer the requests overdue and due soon, and not the leads', async () => {
    const now = t.clock.now();
    await t.db
      .insertInto('privacy_requests')
      .values([
        request('home-late', addDays(now, -1)),
        request('home-soon', addDays(now, 3)),
        request('home-later', addDays(now, 30)),
      ])
      .execute();
    const res = await getAs(t, await staffJar(t, 'privacy'), '/console');
    expect(res.statusCode).toBe(200);
    const due = tile(res.body, 'Privacy requests due soon or overdue');
    expect(due).toContain('home-late');
    expect(due).toContain('>2<');
    expect(due).toContain('1 overdue, 1 due within 10 days');
    expect(due).toContain('href="/console/privacy"');
    expect(res.body).toContain('Open incidents');
    expect(res.body).not.toContain('not yet contacted');
    expect(res.body).not.toContain('failing to send');
    await t.db.deleteFrom('privacy_requests').where('id', 'like', 'home-%').execute();
  });

  it('tells an administrator about failing messages and the backups, with links', async () => {
    const res = await getAs(t, await staffJar(t, 'admin'), '/console');
    expect(res.statusCode).toBe(200);
    expect(tile(res.body, 'Daily backup')).toContain('No backup written yet');
    expect(tile(res.body, 'Messages failing to send')).toContain('home-calm');
    expect(res.body).toContain('href="/console/operations"');
  });

  it('shows a sales person the leads waiting, and nothing of privacy or operations', async () => {
    const res = await getAs(t, await staffJar(t, 'sales'), '/console');
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/New leads? not yet contacted/);
    expect(res.body).not.toContain('Privacy requests due');
    expect(res.body).not.toContain('Daily backup');
  });
});

describe('the operations screen', () => {
  it('lists a message that failed without its recipient, and counts it on the home tile', async () => {
    const id = await enqueue(t.db, 'login_alert', { to: 'owner@clinic.example' }, t.clock.now());
    await t.db
      .updateTable('outbox')
      .set({ attempts: 2, last_error: '550 5.1.1 <owner@clinic.example>: Recipient unknown' })
      .where('id', '=', id)
      .execute();
    const jar = await staffJar(t, 'admin');
    const page = await getAs(t, jar, '/console/operations');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('login alert');
    expect(page.body).toContain('Recipient unknown');
    expect(page.body).not.toContain('owner@clinic.example');
    const home = await getAs(t, jar, '/console');
    expect(tile(home.body, 'Message failing to send')).toContain('home-late');
    await t.db.deleteFrom('outbox').where('id', '=', id).execute();
  });

  it('shows the kept backups, and says when the newest is over a day old', async () => {
    const taken = new Date(t.clock.now().getTime() - 2 * HOUR_MS);
    const name = `starspmb-${taken
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.\d{3}/, '')}.backup`;
    fs.writeFileSync(path.join(backupDir, name), Buffer.alloc(4096));
    const jar = await staffJar(t, 'admin');
    const fresh = await getAs(t, jar, '/console/operations');
    expect(fresh.body).toContain(name);
    expect(fresh.body).toContain('4 KB');
    expect(fresh.body).not.toContain('more than a day old');
    expect(tile((await getAs(t, jar, '/console')).body, 'Daily backup')).toContain('home-calm');

    clock.advance(30 * HOUR_MS);
    const stale = await getAs(t, await staffJar(t, 'admin'), '/console/operations');
    expect(stale.body).toContain('more than a day old');
  });

  it('is the administrator’s alone', async () => {
    for (const role of ['sales', 'marketing', 'privacy'] as const) {
      const res = await getAs(t, await staffJar(t, role), '/console/operations');
      expect(res.statusCode, role).toBe(403);
    }
  });
});

describe('addresses in mail errors', () => {
  it('are replaced, whatever quotes them', () => {
    expect(withoutAddresses('550 <a.b+c@x.example>: no; "d@y.example" (e@z.example)')).toBe(
      '550 <[address]>: no; "[address]" ([address])',
    );
  });
});
