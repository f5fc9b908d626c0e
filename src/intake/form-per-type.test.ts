import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dataMap } from '../privacy/data-map.js';
import { createTestApp, hiddenField, type TestApp } from '../test-support/app.js';
import { askedOf, fieldOrder, typedFields, userTypes, type TypedField } from './fields.js';

// The intake form as each type of user meets it: what is asked, what the labels promise, every
// error at once in the order of the page, and what is stored.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => t.close());

const form = (url = '/get-started') => t.app.inject({ method: 'GET', url });
const token = async () => hiddenField((await form()).body, 'formToken');
const post = (payload: Record<string, string>, headers: Record<string, string> = {}) =>
  t.app.inject({
    method: 'POST',
    url: '/get-started',
    payload: new URLSearchParams(payload).toString(),
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
  });

let seq = 0;
/** Only what the type must answer, filled; every optional question left empty. */
function minimal(type: (typeof userTypes)[number]): Record<string, string> {
  seq++;
  const answers: Record<TypedField, string> = {
    name: `Sam Rivera ${seq}`,
    email: `sam${seq}@clinic.example`,
    phone: '',
    organization: 'Lakeside Family Medicine',
    practiceSize: '2-5',
    address: '1 Main Street',
    city: 'Dallas',
    state: 'TX',
    zip: '75201',
    needs: 'A question about how you work.',
  };
  const out: Record<string, string> = { userType: type };
  for (const f of typedFields) out[f] = askedOf[type][f].need === 'required' ? answers[f] : '';
  return out;
}

/** The label text of a field as rendered, and whether its wrapper is hidden. */
function question(html: string, name: string) {
  const m = new RegExp(
    `<div class="field" data-question="${name}"( hidden)?>\\s*<label for="${name}"><span data-label="true">([^<]*)</span><span class="muted" data-optional="true"( hidden)?>`,
  ).exec(html);
  if (!m) throw new Error(`no question ${name}`);
  return { hidden: Boolean(m[1]), label: m[2]!, optional: !m[3] };
}

const errorSummary = (html: string) =>
  [
    ...(/<div class="error-summary"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '').matchAll(
      /href="#([a-zA-Z]+)"/g,
    ),
  ].map((m) => m[1]);

describe('each type of user is asked what fits, and the labels say what is required', () => {
  it.each(userTypes)(
    '%s: labels, "(optional)" marks and unasked questions follow the table',
    async (type) => {
      const { body } = await form(`/get-started?type=${type}`);
      for (const f of typedFields) {
        const q = askedOf[type][f];
        const shown = question(body, f);
        expect(shown.hidden, `${type}.${f}`).toBe(q.need === 'not_asked');
        if (q.need === 'not_asked') {
          // Not sent either: the input is disabled.
          expect(body).toMatch(new RegExp(`id="${f}"[^>]*disabled|disabled[^>]*id="${f}"`));
          continue;
        }
        expect(shown.label).toBe(q.label);
        expect(shown.optional, `${type}.${f} optional mark`).toBe(q.need === 'optional');
      }
    },
  );

  it('does not ask a patient where they live or how big a practice is, and says what we can do for patients', async () => {
    const { body } = await form('/get-started?type=patient');
    for (const f of ['address', 'city', 'state', 'zip', 'practiceSize'])
      expect(question(body, f).hidden, f).toBe(true);
    expect(body).toMatch(/<div class="notice" id="patient-help" data-for="patient">/);
    for (const line of [...t.site.patients.can, ...t.site.patients.cannot])
      expect(body).toContain(line);
  });

  it('asks a partner about the practice they refer, never "the number of providers in your practice"', async () => {
    const { body } = await form('/get-started?type=partner');
    expect(question(body, 'practiceSize').label).toBe('Providers at the practice you refer');
    expect(question(body, 'organization').label).toBe('Your company or organization');
    expect(body).toContain('Your organization and the practice you refer');
    expect(body).not.toMatch(/<span data-label="true">Number of providers in your practice/);
  });

  it('without a type chosen shows the choice first, with a button that works without JavaScript', async () => {
    const { body } = await form();
    expect(body).toContain('<div id="intake-details" hidden>');
    expect(body).toMatch(
      /<button class="button secondary" type="submit" name="show" value="questions"/,
    );
  });

  it('the no-JavaScript choice shows that type’s questions, keeps what was typed, checks and stores nothing', async () => {
    const before = await leads();
    const res = await post({
      userType: 'patient',
      name: 'Ana Ortiz',
      show: 'questions',
      formToken: await token(),
    });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<div id="intake-details">');
    expect(question(res.body, 'address').hidden).toBe(true);
    expect(res.body).toContain('value="Ana Ortiz"');
    expect(res.body).not.toContain('class="error-summary"');
    expect(await leads()).toBe(before);
  });
});

describe('fields labelled "(optional)" are never refused', () => {
  it.each(userTypes)(
    '%s: only the required answers, every optional one empty, is accepted',
    async (type) => {
      const res = await post({ ...minimal(type), formToken: await token() });
      expect(res.statusCode, res.body.slice(0, 400)).toBe(303);
    },
  );

  it('stores nothing a type was not asked, even when a browser sends it (a patient’s address, a bad ZIP)', async () => {
    const p: Record<string, string> = {
      ...minimal('patient'),
      address: '9 Elm Street',
      zip: '123',
      city: 'Waco',
      practiceSize: '51+',
    };
    const res = await post({ ...p, formToken: await token() });
    expect(res.statusCode).toBe(303);
    const row = await t.db
      .selectFrom('lead_submissions')
      .select(['address', 'city', 'zip', 'practice_size', 'state'])
      .where('lead_id', '=', await t.leadIdByEmail(p.email!))
      .executeTakeFirstOrThrow();
    const opened = t.kernel.open('lead_submissions', row);
    expect(opened).toEqual({ address: '', city: '', zip: '', practice_size: '', state: '' });
  });
});

describe('all errors show at once, in field order', () => {
  it('an empty provider form names every required field in one answer, in page order', async () => {
    const res = await post({ userType: 'provider', formToken: await token() });
    expect(res.statusCode).toBe(400);
    const listed = errorSummary(res.body);
    const required = typedFields.filter((f) => askedOf.provider[f].need === 'required');
    expect(listed).toEqual(required);
    // Each field carries its own message beside it.
    for (const f of required) expect(res.body).toContain(`id="${f}-error"`);
  });

  it('a missing type and bad formats are reported together, not one round after another', async () => {
    const res = await post({
      email: 'nope',
      phone: '12',
      consentSms: 'on',
      formToken: await token(),
    });
    expect(res.statusCode).toBe(400);
    expect(errorSummary(res.body)).toEqual(['userType', 'name', 'email', 'phone', 'needs']);
  });

  it('refusals that depend on the type come with the others, in order (JSON clients too)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/get-started',
      payload: {
        userType: 'provider',
        name: 'X',
        email: 'bad',
        zip: '12',
        needs: '',
        consentSms: true,
        formToken: await token(),
      },
    });
    expect(res.statusCode).toBe(400);
    const fields = (res.json().fields as { field: string }[]).map((f) => f.field);
    const order = (f: string) => (fieldOrder as readonly string[]).indexOf(f);
    expect(fields).toEqual([...fields].sort((a, b) => order(a) - order(b)));
    expect(fields).toEqual([
      'email',
      'organization',
      'practiceSize',
      'city',
      'state',
      'zip',
      'needs',
      'consentSms',
    ]);
  });

  it('text the database cannot store is refused with the field named, on every new question', async () => {
    for (const f of ['organization', 'city', 'address'] as const) {
      const res = await post({ ...minimal('provider'), [f]: `a\u0000b`, formToken: await token() });
      expect(res.statusCode, f).toBe(400);
      expect(res.body, f).toContain(`id="${f}-error"`);
    }
  });
});

describe('the data map and /privacy say what is collected from each type', () => {
  const intakeColumns: Record<string, TypedField> = {
    organization: 'organization',
    practice_size: 'practiceSize',
    address: 'address',
    city: 'city',
    state: 'state',
    zip: 'zip',
  };

  it('a column’s data subjects are exactly the types the form asks it of', () => {
    for (const table of ['leads', 'lead_submissions'] as const) {
      for (const [column, field] of Object.entries(intakeColumns)) {
        const mapped = dataMap[table][column as 'city'];
        if (!mapped.personal) throw new Error(`${table}.${column} is not personal`);
        const asked = userTypes.filter((u) => askedOf[u][field].need !== 'not_asked');
        expect([...mapped.subjects].sort(), `${table}.${column}`).toEqual([...asked].sort());
      }
    }
  });

  it('/privacy lists the street address under providers only and the practice size under providers and partners', async () => {
    const { body } = await t.app.inject({ method: 'GET', url: '/privacy' });
    const group = (who: string) =>
      new RegExp(`<h3>Information about ${who}</h3>\\s*<ul>([\\s\\S]*?)</ul>`).exec(body)?.[1] ??
      '';
    expect(group('providers and practices')).toContain('The street address of your practice');
    expect(group('providers and practices and partners')).toContain(
      'The number of providers in your practice',
    );
    expect(body).not.toMatch(
      /Information about[^<]*patients[^<]*<\/h3>\s*<ul>(?:(?!<\/ul>)[\s\S])*street address/,
    );
  });
});

async function leads() {
  const r = await t.db
    .selectFrom('leads')
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
