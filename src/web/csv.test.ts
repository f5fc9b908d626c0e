import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { csvCell, csvRoute, sendCsv, toCsv, trackCsvRoutes } from './csv.js';

describe('csvCell', () => {
  it.each([
    ['=HYPERLINK("http://evil.example")', `'=HYPERLINK("http://evil.example")`],
    ["=cmd|' /C calc'!A0", `'=cmd|' /C calc'!A0`],
    ['+1+1', "'+1+1"],
    ['-2+3+cmd', "'-2+3+cmd"],
    ['@SUM(1+1)', "'@SUM(1+1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    // A tab is also where a tab-split import starts the next cell: both pieces are defused.
    ['\t=1+1', "'\t'=1+1"],
    ['  =1+1', "'  =1+1"],
    ['"=1+1"', `'"=1+1"`],
    ['-1', "'-1"],
  ])('defuses a formula at the start of %j', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });

  it.each([
    ['foo,=1+1', "foo,'=1+1"],
    ['foo;=cmd|x', "foo;'=cmd|x"],
    ['foo\t+1', "foo\t'+1"],
    ['foo\n@SUM(A1)', "foo\n'@SUM(A1)"],
    ['foo\r\n-1+1', "foo\r\n'-1+1"],
    ['a; "=1+1"', `a; "'=1+1"`],
    ['a;=1;=2', "a;'=1;'=2"],
  ])('defuses a formula after a separator in %j', (input, out) => {
    expect(csvCell(input)).toBe(out);
  });

  it.each([['/pricing'], ['Dallas'], ['a=b'], ['x-y'], ['ann@example.com'], ['1,5']])(
    'leaves plain text %j as it is',
    (input) => {
      expect(csvCell(input)).toBe(input);
    },
  );

  it('keeps numbers numeric, negative ones too, and writes nothing for a missing value', () => {
    expect(csvCell(42)).toBe(42);
    expect(csvCell(-3.5)).toBe(-3.5);
    expect(csvCell(Number.NaN)).toBe('');
    expect(csvCell(null)).toBe('');
    expect(csvCell(undefined)).toBe('');
    expect(csvCell(new Date('2026-11-28T12:00:00.000Z'))).toBe('2026-11-28T12:00:00.000Z');
  });
});

describe('toCsv', () => {
  it('quotes as CSV requires, after defusing', () => {
    expect(
      toCsv([
        ['label', 'count'],
        ['=1+1,"x"', -2],
      ]),
    ).toBe(`label,count\n"'=1+1,""x""",-2\n`);
  });
});

describe('sendCsv', () => {
  async function appWith(config: { csv?: true }) {
    const app = Fastify();
    trackCsvRoutes(app);
    app.get('/file', { config }, (_req, reply) => sendCsv(reply, 'a "b".csv', [['=1']]));
    await app.ready();
    return app;
  }

  it('answers a declared route with a download, and lists the route', async () => {
    const app = await appWith(csvRoute);
    const res = await app.inject('/file');
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="a__b_.csv"');
    expect(res.body).toBe("'=1\n");
    expect(app.csvRoutes).toEqual([{ method: 'GET', url: '/file' }]);
    await app.close();
  });

  it('refuses a route not declared as CSV, so none escapes the route test', async () => {
    const app = await appWith({});
    expect((await app.inject('/file')).statusCode).toBe(500);
    expect(app.csvRoutes).toEqual([]);
    await app.close();
  });
});
