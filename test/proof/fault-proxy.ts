import net from 'node:net';

/**
 * A TCP proxy between the app and PostgreSQL that can cut connections: all at once, all new
 * ones, or each connection after a number of chunks from the app (mid-request).
 */
export async function startFaultProxy(target: { host: string; port: number }) {
  const pairs = new Set<{ client: net.Socket; server: net.Socket }>();
  let refusing = false;
  /** Chunks from the app still let through before the next cut; undefined: no cut planned. */
  let chunksBeforeCut: number | undefined;
  /** Let the chunk that trips the cut reach PostgreSQL (its answer is lost) or drop it. */
  let forwardTrippingChunk = false;
  let cuts = 0;
  let chunks = 0;

  const cutAll = () => {
    for (const p of pairs) {
      p.client.destroy();
      p.server.destroy();
    }
    pairs.clear();
  };

  const server = net.createServer((client) => {
    if (refusing) {
      client.destroy();
      return;
    }
    const upstream = net.connect(target.port, target.host);
    const pair = { client, server: upstream };
    pairs.add(pair);
    const end = () => {
      client.destroy();
      upstream.destroy();
      pairs.delete(pair);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    upstream.on('data', (d: Buffer) => client.write(d));
    client.on('data', (d: Buffer) => {
      chunks++;
      if (chunksBeforeCut !== undefined && chunksBeforeCut-- <= 0) {
        chunksBeforeCut = undefined;
        cuts++;
        if (forwardTrippingChunk) {
          upstream.write(d);
          // PostgreSQL gets the statement; the app never hears back.
          upstream.once('data', () => cutAll());
        } else cutAll();
        return;
      }
      upstream.write(d);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;

  return {
    port,
    /** How many planned mid-request cuts have happened. */
    cuts: () => cuts,
    /** Chunks the app has sent so far, to learn how many one request takes. */
    chunks: () => chunks,
    /** Drops every open connection and refuses new ones, as a stopped database would. */
    down() {
      refusing = true;
      cutAll();
    },
    /** Lets traffic through again. */
    up() {
      refusing = false;
      chunksBeforeCut = undefined;
    },
    /** After `n` more chunks from the app, cuts every connection (once). */
    cutAfter(n: number, opts: { forward?: boolean } = {}) {
      chunksBeforeCut = n;
      forwardTrippingChunk = opts.forward ?? false;
    },
    close: () =>
      new Promise<void>((r) => {
        cutAll();
        server.close(() => r());
      }),
  };
}
