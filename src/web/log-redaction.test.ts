import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { logRedaction } from '../privacy/log-redaction.js';
import { createTestApp } from '../test-support/app.js';

describe('the request log', () => {
  it('records what was asked, never the address, cookies or forwarded-for of who asked', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = Fastify({ logger: { level: 'info', redact: logRedaction, stream } });
    app.get('/services', async () => 'ok');
    await app.inject({
      method: 'GET',
      url: '/services',
      remoteAddress: '203.0.113.9',
      headers: { cookie: 'sid=secret-session', 'x-forwarded-for': '198.51.100.7' },
    });
    await app.close();
    const log = lines.join('');
    expect(log).toContain('/services');
    expect(log).not.toContain('203.0.113.9');
    expect(log).not.toContain('198.51.100.7');
    expect(log).not.toContain('secret-session');
  });
});

describe('the access log of the whole app', () => {
  it('never holds the token of a setup link, a Privacy Center link or a token query parameter', async () => {
    const lines: string[] = [];
    const stream = new Writable({
      write(chunk: Buffer, _enc, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const t = await createTestApp({ logger: { level: 'info', redact: logRedaction, stream } });
    const token = 'Zq3vN8xWm2Lk7Pa9Rt5Yb1Cd4Ef6Gh0Ij2Kl4Mn6Op8';
    try {
      for (const url of [
        `/setup/${token}`,
        `/privacy-center/r/${token}`,
        `/privacy-center/r/${token}/report.json`,
        `/privacy-center/r/${token}/nothing-here`,
        `/services?token=${token}`,
        `/cookies?back=${encodeURIComponent(`/privacy-center/r/${token}`)}`,
      ]) {
        await t.app.inject({ method: 'GET', url });
      }
      await t.app.inject({ method: 'POST', url: `/privacy-center/r/${token}` });
    } finally {
      await t.close();
    }
    const log = lines.join('');
    expect(log).toContain('"url":"/setup/…"');
    expect(log).toContain('"url":"/privacy-center/r/…"');
    expect(log).toContain('"url":"/services"');
    expect(log).not.toContain(token);
  });
});
