import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { submitLead } from '../privacy-center/testing.js';
import { createTestApp } from '../test-support/app.js';
import { dataMap, type FieldClass } from './data-map.js';
import { logRedaction, personalLogKeys } from './log-redaction.js';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { stream, text: () => lines.join('') };
}

// A value per censored key that can only appear in the log if that key leaked.
const values = Object.fromEntries(personalLogKeys.map((k) => [k, `leak-${k}-7Qx`]));

describe('the log redaction list', () => {
  it('is derived from the data map: every sealed column and every contact field is in it', () => {
    const sealed = Object.values(dataMap).flatMap((table) =>
      Object.entries(table as Record<string, FieldClass>)
        .filter(([, f]) => f.personal && f.encrypted)
        .map(([column]) => column),
    );
    expect(sealed.length).toBeGreaterThan(0);
    for (const column of [...sealed, 'email', 'phone', 'name', 'address', 'needs', 'zip'])
      expect(personalLogKeys, column).toContain(column);
  });

  it('censors every personal field a request carries, logged at the top or one level down', async () => {
    const log = capture();
    const app = Fastify({ logger: { level: 'info', redact: logRedaction, stream: log.stream } });
    app.post('/echo', async (request) => {
      const body = request.body as Record<string, string>;
      request.log.info(body, 'fields at the top');
      request.log.info({ lead: body }, 'fields one level down');
      return 'ok';
    });
    const res = await app.inject({
      method: 'POST',
      url: '/echo',
      payload: { ...values, password: 'leak-password-7Qx' },
    });
    await app.close();
    expect(res.statusCode).toBe(200);
    const text = log.text();
    expect(text).toContain('fields one level down');
    expect(text).toContain('[redacted]');
    for (const value of [...Object.values(values), 'leak-password-7Qx'])
      expect(text).not.toContain(value);
  });

  it('keeps an intake submission’s personal data out of the whole app’s log', async () => {
    const log = capture();
    const t = await createTestApp({
      logger: { level: 'debug', redact: logRedaction, stream: log.stream },
    });
    try {
      await submitLead(t, 'riley.stone@example.com', '(713) 555-0177');
    } finally {
      await t.close();
    }
    const text = log.text();
    expect(text).toContain('/get-started');
    for (const value of [
      'riley.stone@example.com',
      '555-0177',
      '+17135550177',
      'Riley Stone',
      'Stone Orthopedics',
      '77 Pine Street',
      'Houston',
      '77002',
      'credentialing',
    ])
      expect(text).not.toContain(value);
  });
});
