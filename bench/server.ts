// A server for the benchmarks, in its own process so the load generator does not share its core.
//   empty: Fastify with the same body parser and a POST route that does nothing (the ceiling)
//   app:   the real site, as `npm start` runs it
import formbody from '@fastify/formbody';
import Fastify from 'fastify';
import { loadConfig } from '../src/config/env.js';
import { startServer } from '../src/server.js';

const mode = process.argv[2];
if (mode === 'empty') {
  const app = Fastify();
  await app.register(formbody);
  app.post('/get-started', async (_req, reply) => reply.redirect('/get-started/thanks', 303));
  // The analytics collector's ceiling: the same text/plain JSON body, parsed and dropped.
  app.post('/api/event', async (req, reply) => {
    JSON.parse(req.body as string);
    return reply.code(202).send();
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
} else {
  await startServer(loadConfig());
}
console.log('READY');
