import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test-support/app.js';

// The headers every page carries (issue 16, hardening): what a browser needs to refuse framing,
// inline script, leaking the address to other sites and powerful features, over HTTP and HTTPS.

describe.each([
  ['http', 'http://localhost:3000'],
  ['https', 'https://www.example.org'],
])('security headers over %s', (scheme, baseUrl) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ env: { BASE_URL: baseUrl } });
  });
  afterAll(async () => t.close());

  it.each(['/', '/get-started', '/privacy', '/console/login', '/healthz', '/no-such-page'])(
    '%s',
    async (url) => {
      const res = await t.app.inject({ url, headers: { accept: 'text/html' } });
      const csp = String(res.headers['content-security-policy']);
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-inline');
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(['no-referrer', 'strict-origin-when-cross-origin']).toContain(
        res.headers['referrer-policy'],
      );
      expect(res.headers['permissions-policy']).toMatch(/(^|, )camera=\(\)/);
      expect(res.headers['permissions-policy']).toMatch(/(^|, )geolocation=\(\)/);
      // Strict transport only where the site is served over HTTPS: on http it would be ignored,
      // and on a developer's localhost it would pin the name to HTTPS for a year.
      if (scheme === 'https')
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d{7,}/);
      else expect(res.headers['strict-transport-security']).toBeUndefined();
    },
  );
});
