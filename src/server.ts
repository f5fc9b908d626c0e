import closeWithGrace from 'close-with-grace';
import path from 'node:path';
import { buildApp } from './app.js';
import { logRedaction } from './privacy/log-redaction.js';
import { systemClock } from './adapters/clock.js';
import { createMailer } from './adapters/mailer.js';
import { checkDataDirModes, ownerOnlyByDefault } from './config/data-dir.js';
import type { Config } from './config/env.js';
import { loadAppSecret } from './config/secret.js';
import { loadSiteConfig, placeholderWarning } from './config/site.js';
import { createDb } from './db/database.js';
import { migrateToLatest } from './db/migrate.js';
import { useConfiguredAuditKey } from './audit/key.js';
import { createKernel } from './privacy/kernel.js';
import { KEY_POLL_MS, liveKeyring } from './privacy/live-keyring.js';
import { resealPending } from './privacy/reseal.js';
import { labelSuppressionKeys } from './privacy/suppression.js';

export interface ServerOptions {
  /** Adds routes before the server listens (the benchmarks' stage routes). */
  extend?: (app: Awaited<ReturnType<typeof buildApp>>) => Promise<void> | void;
}

export async function startServer(config: Config, opts: ServerOptions = {}): Promise<void> {
  // Whatever the process or a library creates (SQLite's -wal and -shm included) is owner-only.
  ownerOnlyByDefault();
  const site = loadSiteConfig(config.siteConfigPath);
  const secret = loadAppSecret(config.dataDir, config.appSecret);
  const db = createDb(config.databaseUrl);
  // Before migrating: a data migration (0027) records what it cleared in the audit log.
  useConfiguredAuditKey(config);
  await migrateToLatest(db);
  // The key file is read again when `keys rotate` changes it (decision 027): no restart needed.
  const keyring = liveKeyring({
    dataDir: config.dataDir,
    key: config.dataKey,
    previous: config.previousDataKeys,
    onCreated: (file) =>
      console.warn(
        `\nCreated the data encryption key ${file} (readable by this user only).\n` +
          'Back it up with the database: without it, stored contact details cannot be read.\n',
      ),
    onError: (err) => console.error(`data keys not reloaded, the loaded ones stay: ${err.message}`),
  });
  const kernel = createKernel(keyring);
  // Rows stored before encryption, or under a key being rotated out, are sealed before serving.
  await resealPending(db, kernel);
  await labelSuppressionKeys(db, kernel);
  const mailer = createMailer({
    smtpUrl: config.smtpUrl,
    outboxDir: path.join(config.dataDir, 'outbox'),
    from: site.email.from,
  });
  const app = await buildApp({
    config,
    site,
    db,
    mailer,
    clock: systemClock,
    secret,
    kernel,
    logger: { level: config.logLevel, redact: logRedaction },
  });
  app.addHook('onClose', async () => {
    mailer.close();
    await db.destroy();
  });

  // What was there before this start (or another tool made) is looked at, not changed.
  checkDataDirModes(config.dataDir, (message) => app.log.warn(message));
  const placeholders = placeholderWarning(site, config.siteConfigPath ?? 'site.config.json');
  if (placeholders) app.log.warn(placeholders);
  await opts.extend?.(app);
  await app.listen({ port: config.port, host: config.host });
  app.outbox.start();
  app.privacyJobs.start();
  app.rollupCompaction.start();
  app.analytics.collector.start();
  app.retention.scheduler.start();
  app.auditCheckpoints.start();
  app.backups.start();
  const keysLoaded = (how: string) =>
    app.log.info(
      { current: keyring.current.id, keys: keyring.all.map((k) => k.id) },
      `data keys reloaded (${how})`,
    );
  const stopKeyWatch = keyring.watch(KEY_POLL_MS, () => keysLoaded('key file changed'));
  // SIGHUP reloads the data keys at once (systemctl reload); it never stops the server.
  process.on('SIGHUP', () => {
    if (keyring.reload()) keysLoaded('SIGHUP');
    else app.log.info('SIGHUP: data keys unchanged');
  });
  if (!config.baseUrlSet && !['localhost', '127.0.0.1', '::1'].includes(config.host))
    app.log.warn(
      `BASE_URL is not set: emailed and printed links name ${config.baseUrl}. Set BASE_URL to the address people use to reach this site.`,
    );
  console.log(`\nThe site is up at ${config.baseUrl} (Ctrl+C stops it).`);
  const link = await app.accounts.firstRunSetupLink(config.baseUrl);
  // Printed last and boxed, not logged: for the operator's eyes on this terminal only.
  if (link)
    console.log(
      box([
        'No staff account exists yet. Create the first administrator',
        'within 1 hour, in a browser, at:',
        '',
        link,
      ]),
    );
  closeWithGrace({ delay: 10_000, skip: ['SIGHUP'] }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after error');
    else console.log(`\nStopping${signal ? ` (${signal})` : ''}: finishing requests in flight…`);
    stopKeyWatch();
    await app.close();
    console.log('Stopped.');
  });
}

/** Lines in a box, so a link stands out from the log lines around it. */
export function box(lines: readonly string[]): string {
  const width = Math.max(...lines.map((l) => l.length));
  const rule = '─'.repeat(width + 2);
  return [`\n┌${rule}┐`, ...lines.map((l) => `│ ${l.padEnd(width)} │`), `└${rule}┘\n`].join('\n');
}
