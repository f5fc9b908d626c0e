import type os from 'node:os';
import { describe, expect, it } from 'vitest';
import { box } from '../server.js';
import { defaultBaseUrl, loadConfig } from './env.js';

// Links the server prints or mails (the setup link, Privacy Center links) name an address that
// reaches it: BASE_URL, else the host it listens on, never `localhost` when HOST says otherwise.

const interfaces = {
  lo: [{ address: '127.0.0.1', family: 'IPv4', internal: true }],
  eth0: [
    { address: 'fe80::1', family: 'IPv6', internal: false },
    { address: '10.1.2.3', family: 'IPv4', internal: false },
  ],
} as unknown as ReturnType<typeof os.networkInterfaces>;

describe('the address links name', () => {
  it('is BASE_URL when given, without a trailing slash', () => {
    const config = loadConfig({ BASE_URL: 'https://www.example.com/', HOST: '0.0.0.0' });
    expect(config.baseUrl).toBe('https://www.example.com');
    expect(config.baseUrlSet).toBe(true);
  });

  it('is the host the server listens on otherwise', () => {
    expect(defaultBaseUrl('localhost', 3000, interfaces)).toBe('http://localhost:3000');
    expect(defaultBaseUrl('127.0.0.1', 3000, interfaces)).toBe('http://localhost:3000');
    expect(defaultBaseUrl('192.168.1.20', 8080, interfaces)).toBe('http://192.168.1.20:8080');
    expect(defaultBaseUrl('billing.internal', 80, interfaces)).toBe('http://billing.internal:80');
    expect(defaultBaseUrl('fd00::5', 3000, interfaces)).toBe('http://[fd00::5]:3000');
    const config = loadConfig({ HOST: '192.168.1.20', PORT: '4000' }, interfaces);
    expect(config.baseUrl).toBe('http://192.168.1.20:4000');
    expect(config.baseUrlSet).toBe(false);
  });

  it('on every interface (0.0.0.0) is this machine’s external address, else localhost', () => {
    expect(defaultBaseUrl('0.0.0.0', 3000, interfaces)).toBe('http://10.1.2.3:3000');
    expect(defaultBaseUrl('::', 3000, interfaces)).toBe('http://10.1.2.3:3000');
    expect(defaultBaseUrl('0.0.0.0', 3000, { lo: interfaces.lo })).toBe('http://localhost:3000');
  });
});

describe('the setup link box', () => {
  it('frames every line to the longest', () => {
    const out = box(['short', 'http://localhost:3000/setup/abc']).trim().split('\n');
    expect(out).toHaveLength(4);
    expect(new Set(out.map((l) => l.length)).size).toBe(1);
    expect(out[2]).toBe('│ http://localhost:3000/setup/abc │');
  });
});
