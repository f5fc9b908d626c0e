import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askFor } from '../privacy-center/testing.js';
import {
  createTestApp,
  hiddenField,
  TestClock,
  testDbKind,
  type TestApp,
} from '../test-support/app.js';
import { postForm, staffJar } from '../test-support/staff.js';
import { findUnstorable } from './storable-text.js';

// Text PostgreSQL cannot store (NUL) or UTF-8 cannot encode (half a surrogate pair) is refused
// at the edge with a 400 naming the field, on both engines, and nothing of the request is kept.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ clock: new TestClock() });
});
afterAll(async () => t.close());

const NUL = '\u0000';
const LONE = '\uD800';
const refusal = 'contains a character we cannot store';
const count = async (table: 'leads' | 'privacy_requests' | 'recipients' | 'analytics_events') =>
  Number(
    (
      await t.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
/** The field carries the error, as the form shows it: marked invalid, described by its message. */
const marked = (field: string) =>
  new RegExp(`id="${field}"[^>]*aria-(invalid="true"|describedby="[^"]*${field}-error)`);

const person = {
  userType: 'provider',
  name: 'Dana Whitfield',
  organization: 'Lakeside Family Medicine',
  practiceSize: '6-20',
  address: '1200 Elm Street',
  city: 'Dallas',
  state: 'TX',
  zip: '75201',
  email: 'dana@lakeside.example',
  needs: 'Help with denials.',
};
async function intake(fields: Record<string, string>, json = false) {
  const page = await t.app.inject({ method: 'GET', url: '/get-started' });
  const payload = { ...fields, formToken: hiddenField(page.body, 'formToken') };
  return t.app.inject({
    method: 'POST',
    url: '/get-started',
    ...(json
      ? { payload }
      : {
          payload: new URLSearchParams(payload).toString(),
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        }),
  });
}

describe(`text the database cannot store, on ${testDbKind}`, () => {
  it('intake form: re-rendered with the field’s error, 400, nothing stored', async () => {
    const before = await count('leads');
    const form = await intake({ ...person, name: `Dana${NUL}Whitfield` });
    expect(form.statusCode).toBe(400);
    expect(form.body).toContain(refusal);
    expect(form.body).toMatch(marked('name'));
    const json = await intake({ ...person, organization: `Lakeside ${LONE}` }, true);
    expect(json.statusCode).toBe(400);
    expect(json.json().fields).toEqual([
      { field: 'organization', message: expect.stringContaining(refusal) as unknown },
    ]);
    const query = await t.app.inject({ method: 'GET', url: '/get-started?utm_source=a%00b' });
    expect(query.statusCode).toBe(400);
    expect(query.body).toContain('The field &quot;utm_source&quot;');
    expect(await count('leads')).toBe(before);
    // The same form without the character is accepted: the character alone was refused.
    expect((await intake(person, true)).statusCode).toBe(201);
  });

  it('Privacy Center form: re-rendered with the field’s error, 400, nothing stored', async () => {
    const before = await count('privacy_requests');
    const res = await askFor(t, {
      kind: 'correction',
      email: 'dana@lakeside.example',
      correctionField: 'name',
      correctionValue: `Dana${NUL}`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(refusal);
    expect(res.body).toMatch(marked('correctionValue'));
    expect(await count('privacy_requests')).toBe(before);
  });

  it('console form: re-rendered with the field’s error, 400, nothing stored', async () => {
    const admin = await staffJar(t, 'admin');
    const before = await count('recipients');
    const res = await postForm(t, admin, '/console/settings/processors', {
      kind: 'processor',
      key: 'smtp-relay',
      name: `Relay${NUL} Ltd`,
      categories: ['contact.email'],
      purpose: 'delivers the emails we send',
      contractRef: 'DPA-1',
    });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain(refusal);
    expect(res.body).toMatch(marked('name'));
    expect(await count('recipients')).toBe(before);
  });

  it('analytics beacon: 400 naming the field for its name, props, url, referrer and campaign tags', async () => {
    const event = { type: 'event', url: 'http://localhost:3000/services', name: 'quote' };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...event, name: `quote${NUL}` }, 'name'],
      [{ ...event, props: { [`plan${NUL}`]: 'basic' } }, 'props.plan\\u0000'],
      [{ ...event, props: { plan: `basic${LONE}` } }, 'props.plan'],
      [{ ...event, url: `http://localhost:3000/services${NUL}` }, 'url'],
      [{ ...event, referrer: `https://example.com/${NUL}` }, 'referrer'],
      [{ ...event, url: 'http://localhost:3000/?utm_campaign=fall%00' }, 'url.utm_campaign'],
    ];
    const before = await count('analytics_events');
    for (const [body, field] of cases) {
      const res = await beacon(body);
      expect(res.statusCode, field).toBe(400);
      expect(res.json().error, field).toContain(`"${field}" ${refusal}`);
    }
    expect(await count('analytics_events')).toBe(before);
    expect((await beacon(event)).statusCode).toBe(202);
  });

  it('analytics beacons sent together: the poisoned one gets 400, every honest one is stored', async () => {
    const event = (name: string) => ({ type: 'event', url: 'http://localhost:3000/', name });
    const honest = Array.from({ length: 120 }, (_, i) => `together-${i}`);
    const names = [...honest.slice(0, 60), `together${NUL}`, ...honest.slice(60)];
    const codes = (await Promise.all(names.map((n) => beacon(event(n))))).map((r) => r.statusCode);
    expect(codes.filter((c) => c === 202)).toHaveLength(120);
    expect(codes[60]).toBe(400);
    const stored = await t.db
      .selectFrom('analytics_events as e')
      .innerJoin('analytics_dict as d', 'd.id', 'e.name')
      .where('d.value', 'in', honest)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(stored.n)).toBe(120);
  });
});

const beacon = (body: unknown) =>
  t.app.inject({
    method: 'POST',
    url: '/api/event',
    headers: {
      'content-type': 'text/plain;charset=UTF-8',
      accept: 'application/json',
      'user-agent':
        'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36',
    },
    payload: JSON.stringify(body),
  });

describe('findUnstorable', () => {
  it('finds the first unstorable value or key, however deep, and passes whole surrogate pairs', () => {
    expect(findUnstorable({ a: ['ok', { b: `x${NUL}` }] })).toEqual(['a', '1', 'b']);
    expect(findUnstorable({ [`k${LONE}`]: 'v' })).toEqual(['k\\ud800']);
    expect(findUnstorable({ a: 'emoji 😀', b: 'é', c: 1, d: null })).toBeNull();
    expect(findUnstorable('\uDC00')).toEqual([]);
    let deep: unknown = `x${NUL}`;
    for (let i = 0; i < 30_000; i++) deep = [deep];
    expect(findUnstorable(deep)).toHaveLength(30_000);
  });
});
