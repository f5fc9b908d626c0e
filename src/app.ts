import cookie from '@fastify/cookie';
import csrf from '@fastify/csrf-protection';
import formbody from '@fastify/formbody';
import rateLimit from '@fastify/rate-limit';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyServerOptions } from 'fastify';
import helmet from 'helmet';
import { serializerCompiler } from 'fastify-type-provider-zod';
import { Redis } from 'ioredis';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loginAlertKind } from './accounts/alert-mail.js';
import { accountLinkKinds } from './accounts/link-mail.js';
import { accountLinkRoutes } from './accounts/link-routes.js';
import { createLinkFlows } from './accounts/reset.js';
import { accountRoutes } from './accounts/routes.js';
import { staffRoutes } from './accounts/users-routes.js';
import { createStaffAdmin } from './accounts/users-service.js';
import { secondFactorRoutes } from './accounts/second-factor-routes.js';
import { sessionRoutes } from './accounts/sessions-routes.js';
import { createRollupCompaction } from './analytics/compactor.js';
import { createDashboardRepository } from './analytics/dashboard/repository.js';
import { openGeo } from './analytics/enrich.js';
import { analyticsRoutes, requestFacts } from './analytics/routes.js';
import { createAnalytics } from './analytics/service.js';
import { analyticsDashboardRoutes } from './analytics/dashboard/routes.js';
import { createDashboardService } from './analytics/dashboard/service.js';
import { createAccountService } from './accounts/service.js';
import type { Clock } from './adapters/clock.js';
import { incidentReminderKind } from './audit/incidents/mail.js';
import { openIncidentsTile } from './audit/incidents/home-tile.js';
import { incidentRoutes } from './audit/incidents/routes.js';
import { homeRoutes } from './console/home.js';
import { newLeadsTile } from './leads/home-tile.js';
import { operationsTiles } from './operations/home-tiles.js';
import { operationsRoutes } from './operations/routes.js';
import { createOperationsService } from './operations/service.js';
import { dueRequestsTile } from './privacy-center/home-tile.js';
import { retentionTile } from './retention/home-tile.js';
import { createIncidentService } from './audit/incidents/service.js';
import { createAuditCheckpoints } from './audit/checkpoint.js';
import { createBackupSchedule } from './backup/schedule.js';
import { auditRoutes } from './audit/routes.js';
import { createAuditService } from './audit/service.js';
import type { Mailer } from './adapters/mailer.js';
import type { Config } from './config/env.js';
import type { SiteConfig } from './config/site.js';
import { trackConsoleRoutes } from './console/route-table.js';
import { consoleRoutes } from './leads/console-routes.js';
import { createConsoleService } from './leads/service.js';
import { cookieConsoleRoutes } from './cookies/console-routes.js';
import { cookieNoticePlugin } from './cookies/plugin.js';
import { browserChoiceSaver, cookieRoutes } from './cookies/routes.js';
import { createTagService, tagVendors } from './cookies/tags.js';
import { exportRoutes } from './leads/export-routes.js';
import { createExportService } from './leads/export-service.js';
import { createEvidenceService } from './disclosures/evidence.js';
import { disclosureRoutes } from './disclosures/routes.js';
import { createDisclosureService } from './disclosures/service.js';
import type { Db } from './db/database.js';
import { leadNotificationKind } from './intake/mail.js';
import { intakeConfirmationKind } from './intake/confirmation-mail.js';
import { intakeRoutes } from './intake/routes.js';
import { createIntakeLimits } from './intake/rate-limit.js';
import { carryCampaign } from './intake/campaign.js';
import { createIntakeService } from './intake/service.js';
import { createOutboxWorker } from './outbox/worker.js';
import { publicFileRoutes } from './pages/public-files.js';
import { pageRoutes } from './pages/routes.js';
import { applyGpcToPerson, applyOptOutsToBrowser, gpcPlugin } from './privacy-center/gpc.js';
import { privacyMessageKinds } from './privacy-center/mail.js';
import { privacyCenterRoutes } from './privacy-center/routes.js';
import { createPrivacyCenter } from './privacy-center/service.js';
import { createPrivacyJobs } from './privacy-center/reminders.js';
import { privacyRequestRoutes } from './privacy-center/console-routes.js';
import { deadlineAlertPlugin } from './privacy-center/deadline-alert.js';
import { createRequestQueue } from './privacy-center/console-service.js';
import { registeredProcessors } from './privacy/disclosures.js';
import { currentPolicyMark, policyState } from './privacy/policy-revisions.js';
import { emailRelayKey, guardMailer } from './privacy/mail-guard.js';
import { secretPrefixes } from './privacy/secret-paths.js';
import {
  protectSecretPages,
  requestLogger,
  withSecretSafeRequests,
} from './privacy/secret-requests.js';
import { privacySignalsPlugin } from './privacy/signals.js';
import { createRetentionConsole } from './retention/console-service.js';
import { leadHoldPanel, retentionRoutes } from './retention/routes.js';
import { createRetentionScheduler, type RetentionScheduler } from './retention/scheduler.js';
import { createRetentionRunner, type RetentionRunner } from './retention/service.js';
import { assetRoutes } from './web/assets.js';
import { compressResponses } from './web/compress.js';
import { trackCsvRoutes } from './web/csv.js';
import { guardCrossSite } from './web/cross-site.js';
import { cookieGuard } from './web/cookie-guard.js';
import { registerErrorHandling } from './web/errors.js';
import { refuseUnstorableText, storableValidatorCompiler } from './web/storable-text.js';
import { answerLivenessFirst, heartbeatCheck, opsRoutes, warmUp } from './web/ops.js';
import { createMetrics, metricsRoute } from './web/metrics.js';
import { backlog } from './outbox/repository.js';
import { createJobLeases } from './db/job-leases.js';
import { createPageCache, type PageCache } from './web/render.js';
import { addSecurityHeaders, securityHeaderList } from './web/security-headers.js';
import './web/types.js';
import type { Kernel } from './privacy/kernel.js';

export interface AppDeps {
  config: Config;
  site: SiteConfig;
  db: Db;
  mailer: Mailer;
  clock: Clock;
  secret: string;
  /** The privacy kernel holding the data key: seals and reveals contact fields. */
  kernel: Kernel;
  logger?: FastifyServerOptions['logger'];
  /** argon2 verification of staff passwords; tests may wrap it. */
  verifyPassword?: (hash: string, password: string) => Promise<boolean>;
}

const publicDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../public');

export async function buildApp(deps: AppDeps) {
  const { config, site, db, clock } = deps;
  // Security headers from one helmet middleware built at start-up: @fastify/helmet rebuilt it,
  // CSP parsing included, on every request (docs/decisions/012-analytics-ingest.md); its headers
  // are recorded once and copied onto each response (decision 020).
  const securityHeaders = securityHeaderList(
    helmet({
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
    }),
  );
  let closing = false;
  const app = Fastify({
    // Every access-log line goes through the kernel's request serializer: no secret link in it.
    logger: withSecretSafeRequests(deps.logger),
    childLoggerFactory: requestLogger,
    trustProxy: config.trustProxy,
    bodyLimit: 64 * 1024,
    return503OnClosing: true,
    serverFactory: answerLivenessFirst(securityHeaders, () => closing),
  });
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  // Every schema's validator first refuses text the database cannot store (NUL, lone
  // surrogates); the hook does the same for what a route declares no schema for.
  app.setValidatorCompiler(storableValidatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('site', { getter: () => site });
  app.decorateRequest('staff', null);
  registerErrorHandling(app);
  // Prometheus counters (decision 027): one onResponse hook, before any route, labels by pattern.
  const metrics = createMetrics({
    outboxBacklog: async () => {
      const b = await backlog(db);
      const age = b.oldest ? (clock.now().getTime() - Date.parse(b.oldest)) / 1000 : 0;
      return { depth: b.depth, oldestAgeSeconds: Math.max(0, age) };
    },
  });
  app.addHook('onResponse', metrics.onResponse);
  // Before any route: lists the routes that answer with CSV (src/web/csv.ts).
  trackCsvRoutes(app);
  // Before any route: lists the console's routes and who may use each (src/console/route-table.ts).
  trackConsoleRoutes(app);
  protectSecretPages(app);
  refuseUnstorableText(app);

  addSecurityHeaders(app, securityHeaders);
  // Every POST/PUT/PATCH/DELETE must come from the site's own pages (decision 015): before any
  // route is registered, and before the hooks that record a GPC signal or read cookies.
  guardCrossSite(app, { siteOrigin: new URL(config.baseUrl).origin });
  await app.register(formbody, { bodyLimit: 32 * 1024 });
  await app.register(cookie, { secret: deps.secret });
  // What the visitor allows (GPC, Do Not Track, cookie choices), asked of `request.privacy`.
  await app.register(privacySignalsPlugin);
  // After the cookie plugin's own onSend: collector, assets, probes and error pages set none.
  app.addHook('onSend', cookieGuard);
  // Campaign tags of a landing page travel in its links to the intake form (no cookie).
  app.addHook('onSend', carryCampaign);
  // Brotli or gzip; never the console or a secret link's page (BREACH, decision 028).
  compressResponses(app, { skip: ['/console', ...secretPrefixes()] });
  // Absolute links in pages (canonical, Open Graph) name the configured public address.
  const origin = new URL(config.baseUrl).origin;
  app.decorateRequest('publicOrigin', { getter: () => origin });
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
  // Content-hashed names, kept a year; the plain names stay for an hour (src/web/assets.ts).
  assetRoutes(app, site);
  await app.register(fastifyStatic, { root: publicDir, prefix: '/static/', maxAge: '1h' });
  // Global Privacy Control is read on every request, before any route runs.
  const secureCookies = config.baseUrl.startsWith('https:');
  await app.register(gpcPlugin, { db, clock, kernel: deps.kernel, secure: secureCookies });
  // The cookie notice, consented tags and their per-page CSP, after the choices are read.
  await app.register(cookieNoticePlugin, { db });

  // Mail declaring personal data leaves only through a registered relay, recorded in the ledger.
  const mailer = guardMailer({
    db,
    mailer: deps.mailer,
    clock,
    relayKey: emailRelayKey(config.smtpUrl),
  });
  // Scheduled jobs run once across instances: each scheduled run takes its job's lease first.
  const leases = createJobLeases(db, clock);
  app.decorate('jobLeases', leases);
  // Each capability registers the mail it queues: what it says and whom it goes to.
  const outbox = createOutboxWorker({
    // Five polls of slack: a crashed sender's successor takes over within seconds; each row is
    // also leased before it is sent, so two senders never send one message.
    lease: () => leases.take('outbox', Math.max(1_000, 5 * config.outboxPollMs)),
    db,
    mailer,
    clock,
    config,
    site,
    log: app.log,
    kinds: {
      lead_notification: leadNotificationKind({ db, config }),
      intake_confirmation: intakeConfirmationKind({ db, config, site, kernel: deps.kernel }),
      login_alert: loginAlertKind({ db, site, config }),
      ...accountLinkKinds({ db, site, config, clock, secret: deps.secret }),
      incident_reminder: incidentReminderKind({ db, config, clock }),
      ...privacyMessageKinds({ db, config, site, kernel: deps.kernel, secret: deps.secret }),
    },
  });
  const accounts = createAccountService({
    db,
    clock,
    config,
    secret: deps.secret,
    onCommit: outbox.nudge,
    verifyPassword: deps.verifyPassword,
    onLoginFailed: metrics.loginFailed,
    kernel: deps.kernel,
    issuer: site.company.name,
  });
  const intake = createIntakeService({
    db,
    clock,
    config,
    site,
    secret: deps.secret,
    kernel: deps.kernel,
    onCommit: outbox.nudge,
  });
  app.decorate('outbox', outbox);
  app.decorate('accounts', accounts);
  // Retention: the scheduler is started by the server (never in tests unless one asks).
  const runner = createRetentionRunner({ db, clock });
  const retentionRunner: RetentionRunner = {
    ...runner,
    // Counted for /metrics, whoever started the run (schedule or console).
    run: async (req) => {
      const outcome = await runner.run(req).catch((err: unknown) => {
        metrics.retentionRun('failed');
        throw err;
      });
      metrics.retentionRun(outcome.status);
      return outcome;
    },
  };
  const retention = createRetentionConsole({ db, clock, runner: retentionRunner });
  const retentionScheduler = createRetentionScheduler({
    // A scheduled run happens on the instance holding the day's lease; the others skip it.
    runner: {
      ...retentionRunner,
      run: async (req) =>
        (await leases.every('retention', config.retentionIntervalHours * 3_600_000)())
          ? retentionRunner.run(req)
          : { status: 'busy' },
    },
    intervalHours: config.retentionIntervalHours,
    log: app.log,
  });
  app.decorate('retention', { runner: retentionRunner, scheduler: retentionScheduler });
  app.decorate('mailer', mailer);
  // Privacy requests: the public Privacy Center, the console queue, and their deadline timer.
  const privacyCenter = createPrivacyCenter({
    db,
    clock,
    kernel: deps.kernel,
    secret: deps.secret,
    reportDays: config.privacyReportLinkDays,
    onCommit: outbox.nudge,
  });
  const privacyQueue = createRequestQueue({
    db,
    clock,
    kernel: deps.kernel,
    onCommit: outbox.nudge,
  });
  const incidents = createIncidentService({ db, clock, onCommit: outbox.nudge });
  const privacyJobs = createPrivacyJobs({
    db,
    clock,
    log: app.log,
    intervalMs: 15 * 60_000,
    lease: leases.every('privacy_reminders', 15 * 60_000),
    onQueued: outbox.nudge,
    alsoRemind: [(now) => incidents.dueIncidentReminders(now)],
  });
  app.decorate('privacyJobs', privacyJobs);
  const analytics = createAnalytics({
    db,
    clock,
    geo: await openGeo(),
    site: new URL(config.baseUrl).host,
    bounds: config.analyticsBounds,
    onStored: metrics.eventIngested,
    // A thread of its own needs a database it can open again; an in-memory one it cannot.
    ...(config.analyticsWriter === 'thread' && !config.databaseUrl.endsWith(':memory:')
      ? { writerUrl: config.databaseUrl }
      : {}),
  });
  app.decorate('analytics', analytics);
  // Hourly: folds the rollups of closed days into daily rows and moves their raw rows into
  // segments (dashboard speed, decisions 013 and 014), then warms the dashboard's column cache.
  const dashboard = createDashboardRepository(db);
  const compaction = createRollupCompaction({
    db,
    clock,
    log: app.log,
    intervalMs: 3_600_000,
    lease: leases.every('analytics_compaction', 3_600_000),
    afterRun: (now) => dashboard.warm(now),
  });
  // Started by the server: the dashboard cache is warmed first (the instance is not ready
  // until then, decision 027), and the hourly compaction starts after.
  const dashboardWarmUp = warmUp(() => dashboard.warm(clock.now()), app.log);
  let compactionStopped = false;
  const rollupCompaction = {
    ...compaction,
    start: () =>
      void dashboardWarmUp.start().then(() => {
        if (!compactionStopped) compaction.start();
      }),
    stop: async () => {
      compactionStopped = true;
      await compaction.stop();
    },
  };
  app.decorate('rollupCompaction', rollupCompaction);
  // Signed checkpoints of the audit chain's head, outside the database (decision 016).
  const auditCheckpoints = createAuditCheckpoints({
    db,
    clock,
    file: config.auditCheckpointFile,
    log: app.log,
    intervalMs: config.auditCheckpointIntervalHours * 3_600_000,
  });
  app.decorate('auditCheckpoints', auditCheckpoints);
  // The daily encrypted backup, when BACKUP_DIR is set (decision 024).
  app.decorate(
    'backups',
    createBackupSchedule({ config, clock, keys: deps.kernel.keys, log: app.log }),
  );

  await app.register(opsRoutes, {
    db,
    site,
    checks: [
      // Longer than a lease: by then another instance may send this one's jobs anyway.
      heartbeatCheck(outbox.heartbeat, clock, 5 * 60_000),
      dashboardWarmUp.check,
    ],
  });
  metricsRoute(app, metrics, config.metricsToken);
  // Public pages rendered once per variant and served from memory (decision 020).
  const pages = createPageCache();
  app.decorate('pageCache', pages);
  const currentPolicyState = () =>
    policyState(
      db,
      () => registeredProcessors(db),
      () => tagVendors(db),
    );
  await app.register(pageRoutes, {
    site,
    cache: pages,
    policy: { state: currentPolicyState, mark: () => currentPolicyMark(db) },
  });
  await app.register(publicFileRoutes, { site, origin, clock, policy: currentPolicyState });
  const cookieDeps = { db, clock, accounts, secure: secureCookies, pages };
  await app.register(cookieRoutes, cookieDeps);
  await app.register(intakeRoutes, {
    intake,
    config,
    limits: createIntakeLimits({
      secret: deps.secret,
      clock,
      max: config.intake.rateLimit,
      window: config.intake.rateWindow,
      redis,
    }),
    pages,
    // A GPC signal sent with the form applies to the person, not only the browser.
    onAccepted: async (request, reply, leadId, who) => {
      await applyOptOutsToBrowser({ db, kernel: deps.kernel }, request, reply, who, secureCookies);
      if (request.privacy.gpc)
        await applyGpcToPerson(
          { db, kernel: deps.kernel },
          who,
          [leadId],
          'intake',
          request.gpcOverrode,
          clock.now(),
        );
      // The funnel's last step, counted by the server: no tracker needed, no field values.
      // A failure here must never fail the person's request: it is logged without details.
      await analytics
        .track({
          ...requestFacts(request),
          type: 'intake_submitted',
          url: new URL('/get-started', config.baseUrl),
        })
        .catch((err: Error) =>
          request.log.warn({ msg: err.message }, 'analytics: intake step not recorded'),
        );
    },
  });
  await app.register(privacyCenterRoutes, {
    center: privacyCenter,
    choices: { db, clock, kernel: deps.kernel },
    config,
    saveBrowserChoice: browserChoiceSaver(cookieDeps),
  });
  await app.register(deadlineAlertPlugin, { db, clock });
  await app.register(privacyRequestRoutes, {
    queue: privacyQueue,
    accounts,
    logRequest: privacyCenter.logRequest,
  });
  await app.register(accountRoutes, { accounts, config });
  // Staff management and one-time account links (docs/staff-accounts.md).
  const links = { db, clock, secret: deps.secret, onCommit: outbox.nudge };
  await app.register(accountLinkRoutes, { links: createLinkFlows(links), config });
  await app.register(staffRoutes, { users: createStaffAdmin(links), accounts });
  await app.register(secondFactorRoutes, { accounts });
  await app.register(sessionRoutes, { accounts });
  await app.register(auditRoutes, { service: createAuditService({ db }), accounts });
  await app.register(incidentRoutes, { service: incidents, accounts });
  await app.register(consoleRoutes, {
    service: createConsoleService({ db, clock, kernel: deps.kernel }),
    accounts,
    leadPanels: [leadHoldPanel(retention)],
  });
  await app.register(retentionRoutes, { service: retention, accounts });
  const operations = createOperationsService({ db, clock, backupDir: config.backupDir });
  await app.register(operationsRoutes, { service: operations, accounts });
  await app.register(homeRoutes, {
    accounts,
    tiles: [
      newLeadsTile(db),
      dueRequestsTile({ db, clock }),
      openIncidentsTile({ db, clock }),
      retentionTile({ db, clock }),
      ...operationsTiles(operations),
    ],
  });
  await app.register(analyticsRoutes, {
    analytics,
    secure: secureCookies,
    site: new URL(config.baseUrl),
  });
  await app.register(disclosureRoutes, {
    db,
    service: createDisclosureService({ db, clock }),
    evidence: createEvidenceService({ db, clock, kernel: deps.kernel }),
    accounts,
    clock,
  });
  await app.register(cookieConsoleRoutes, {
    db,
    tags: createTagService({ db, clock }),
    accounts,
    clock,
  });
  await app.register(exportRoutes, {
    service: createExportService({ db, clock, kernel: deps.kernel }),
    accounts,
    clock,
  });
  await app.register(analyticsDashboardRoutes, {
    service: createDashboardService(dashboard),
    accounts,
    clock,
  });
  app.addHook('onClose', async () => {
    await outbox.stop();
    await retentionScheduler.stop();
    await privacyJobs.stop();
    await rollupCompaction.stop();
    await auditCheckpoints.stop();
    await app.backups.stop();
    await analytics.collector.close();
  });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    outbox: ReturnType<typeof createOutboxWorker>;
    accounts: ReturnType<typeof createAccountService>;
    /** Retention runs on demand, and the schedule the server starts. */
    retention: { runner: RetentionRunner; scheduler: RetentionScheduler };
    /** The guarded mailer the outbox sends through (src/privacy/mail-guard.ts). */
    mailer: Mailer;
    /** Privacy-request reminders and minimisation; the server starts the timer. */
    privacyJobs: ReturnType<typeof createPrivacyJobs>;
    /** First-party analytics: the collector behind POST /api/event. */
    analytics: ReturnType<typeof createAnalytics>;
    /** Folds closed days' hourly analytics rollups into daily rows; the server starts the timer. */
    rollupCompaction: ReturnType<typeof createRollupCompaction>;
    /** Rendered public pages by variant (src/web/render.ts). */
    pageCache: PageCache;
    /** Leases that make each scheduled job run on one instance at a time (decision 027). */
    jobLeases: ReturnType<typeof createJobLeases>;
    /** Signed checkpoints of the audit chain's head; the server starts the timer. */
    auditCheckpoints: ReturnType<typeof createAuditCheckpoints>;
  }
}
