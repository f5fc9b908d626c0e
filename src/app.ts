import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import helmet from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyServerOptions } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { Redis } from 'ioredis';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { accountRoutes } from './accounts/routes.js';
import { createAccountService } from './accounts/service.js';
import type { Clock } from './adapters/clock.js';
import type { Mailer } from './adapters/mailer.js';
import type { Config } from './config/env.js';
import type { SiteConfig } from './config/site.js';
import { consoleRoutes } from './console/routes.js';
import type { Db } from './db/database.js';
import { intakeRoutes } from './intake/routes.js';
import { createIntakeService } from './intake/service.js';
import { createOutboxWorker } from './outbox/worker.js';
import { pageRoutes } from './pages/routes.js';
import { registerErrorHandling } from './web/errors.js';
import { opsRoutes } from './web/ops.js';
import './web/types.js';

export interface AppDeps {
  config: Config;
  site: SiteConfig;
  db: Db;
  mailer: Mailer;
  clock: Clock;
  secret: string;
  logger?: FastifyServerOptions['logger'];
}

const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../public');

// Personal data must never reach the logs: bodies are not logged, and these keys are censored
// wherever they appear in a log object.
export const logRedaction = {
  paths: [
    'req.headers.cookie',
    'req.headers.authorization',
    'req.body',
    '*.email',
    '*.phone',
    '*.name',
    '*.address',
    '*.password',
  ],
  censor: '[redacted]',
};

export async function buildApp(deps: AppDeps) {
  const { config, site, db, clock } = deps;
  const app = Fastify({
    logger: deps.logger ?? false,
    trustProxy: config.trustProxy,
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('site', { getter: () => site });
  app.decorateRequest('staff', null);
  registerErrorHandling(app);

  await app.register(helmet, {
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        upgradeInsecureRequests: config.baseUrl.startsWith('https:') ? [] : null,
      },
    },
    hsts: config.baseUrl.startsWith('https:'),
  });
  await app.register(formbody, { bodyLimit: 32 * 1024 });
  await app.register(cookie, { secret: deps.secret });
  await app.register(csrf, {
    sessionPlugin: '@fastify/cookie',
    cookieOpts: {
      signed: true,
      httpOnly: true,
      sameSite: 'lax',
      path: '/',
      secure: config.baseUrl.startsWith('https:'),
    },
  });
  // Shared counters when several instances run (REDIS_URL); one process keeps them in memory.
  const redis = config.redisUrl ? new Redis(config.redisUrl, { lazyConnect: false }) : undefined;
  await app.register(rateLimit, { global: false, ...(redis ? { redis } : {}) });
  if (redis) app.addHook('onClose', async () => void (await redis.quit()));
  await app.register(fastifyStatic, { root: publicDir, prefix: '/static/', maxAge: '1h' });

  const outbox = createOutboxWorker({ ...deps, log: app.log });
  const accounts = createAccountService({ db, clock, config });
  const intake = createIntakeService({ db, clock, config, site, secret: deps.secret, onCommit: outbox.nudge });
  app.decorate('outbox', outbox);
  app.decorate('accounts', accounts);

  await app.register(opsRoutes, { db, site });
  await app.register(pageRoutes, { site });
  await app.register(intakeRoutes, { intake, config });
  await app.register(accountRoutes, { accounts, config });
  await app.register(consoleRoutes, { db, accounts, clock });
  app.addHook('onClose', async () => {
    await outbox.stop();
  });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    outbox: ReturnType<typeof createOutboxWorker>;
    accounts: ReturnType<typeof createAccountService>;
  }
}
