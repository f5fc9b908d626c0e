import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { logRedaction } from '../app.js';

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
