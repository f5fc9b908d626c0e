// A server for the benchmarks, in its own process so the load generator does not share its core.
//   empty: Fastify with the same body parser, POST routes that do nothing and a bare GET (ceilings)
//   app:   the real site, as `npm start` runs it
//   stages: the real site plus two routes that stop the collector's work part way, to show
//          where its time goes: /bench/parsed (the site's hooks and the body's validation) and
//          /bench/enriched (also bot check, visitor hash, geolocation, channel; nothing stored)
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { loadConfig } from '../src/config/env.js';
import { acceptBeacons, parseEvent } from '../src/analytics/routes.js';
import { startServer } from '../src/server.js';

const mode = process.argv[2];
if (mode === 'empty') {
  const app = Fastify();
  await app.register(formbody);
  app.post('/get-started', async (_req, reply) => reply.redirect('/get-started/thanks', 303));
  // The public pages' ceiling: a GET answered from memory, nothing else.
  app.get('/bare', async (_req, reply) => reply.type('text/html; charset=utf-8').send('<p>ok</p>'));
  // The analytics collector's ceiling: the same text/plain JSON body, parsed and dropped.
  app.post('/api/event', async (req, reply) => {
    JSON.parse(req.body as string);
    return reply.code(202).send();
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  // A clean exit, so that BENCH_CPU_PROF gets this process's profile too.
  process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
} else {
  const config = loadConfig();
  const site = new URL(config.baseUrl);
  await startServer(config, {
    extend:
      mode === 'stages'
        ? async (app) => {
            await app.register(async (stages) => {
              acceptBeacons(stages);
              const route = { bodyLimit: 4096, config: { securityHeaders: false as const } };
              stages.post('/bench/parsed', route, async (request, reply) => {
                parseEvent(request, { site });
                return reply.code(202).send();
              });
              stages.post('/bench/enriched', route, async (request, reply) => {
                await app.analytics.enrich(parseEvent(request, { site }));
                return reply.code(202).send();
              });
            });
          }
        : undefined,
  });
}
console.log('READY');
