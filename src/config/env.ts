import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { REPORT_DAYS_DEFAULT, REPORT_DAYS_MAX } from '../privacy-center/deadlines.js';

// Every setting the process reads, validated once at boot; the CLI reads the same variables.
const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('localhost'),
  DATA_DIR: z.string().min(1).default('./data'),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?|sqlite):/, 'must start with postgres://, postgresql:// or sqlite:')
    .optional(),
  BASE_URL: z
    .url({ message: 'must be an absolute URL such as https://www.example.com' })
    .optional(),
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
    .optional(),
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
    .optional(),
  SITE_CONFIG: z.string().min(1).optional(),
  APP_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  STARSPMB_DATA_KEY: z
    .string()
    .regex(
      /^([0-9a-fA-F]{64}|[A-Za-z0-9_+/-]{43}=?)$/,
      'must be 32 random bytes as 64 hex digits or base64 (openssl rand -base64 32)',
    )
    .optional(),
  STARSPMB_PREVIOUS_DATA_KEYS: z.string().optional(),
  STARSPMB_AUDIT_KEY: z
    .string()
    .regex(
      /^([0-9a-fA-F]{64}|[A-Za-z0-9_+/-]{43}=?)$/,
      'must be 32 random bytes as 64 hex digits or base64 (openssl rand -base64 32)',
    )
    .optional(),
  AUDIT_CHECKPOINT_FILE: z.string().min(1).optional(),
  AUDIT_CHECKPOINT_INTERVAL_HOURS: z.coerce
    .number({ error: 'must be a number of hours' })
    .gt(0, 'must be more than 0: checkpoints are what make truncating the audit log visible')
    .max(24, 'must be at most 24: a checkpoint is written at least daily')
    .default(24),
  NOTIFY_EMAIL: z.string().optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  TRUST_PROXY: z.enum(['true', 'false']).default('false'),
  INTAKE_MIN_FILL_MS: z.coerce.number().int().min(0).default(3000),
  INTAKE_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  INTAKE_RATE_WINDOW: z.string().default('10 minutes'),
  LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(10),
  ANALYTICS_EVENTS_PER_MINUTE: z.coerce
    .number({ error: 'must be a whole number of events' })
    .int('must be a whole number of events')
    .min(1, 'must be at least 1')
    .default(300),
  ANALYTICS_NEW_VISITORS_PER_MINUTE: z.coerce
    .number({ error: 'must be a whole number of visitors' })
    .int('must be a whole number of visitors')
    .min(1, 'must be at least 1')
    .default(30),
  ANALYTICS_WRITER: z
    .enum(['thread', 'inline'], { message: 'must be thread or inline' })
    .default('thread'),
  OUTBOX_POLL_MS: z.coerce.number().int().min(10).default(2000),
  RETENTION_INTERVAL_HOURS: z.coerce
    .number({ error: 'must be a number of hours' })
    .min(0, 'must be 0 (off) or more')
    // Timers cannot wait longer than 24.8 days, and retention is meant to run at least weekly.
    .max(168, 'must be at most 168 (one week); 0 turns the schedule off')
    .default(24),
  METRICS_TOKEN: z
    .string()
    .min(32, 'must be at least 32 characters (openssl rand -base64 32)')
    .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces')
    .optional(),
  BACKUP_DIR: z.string().min(1).optional(),
  BACKUP_KEEP: z.coerce
    .number({ error: 'must be a whole number of backups' })
    .int('must be a whole number of backups')
    .min(1, 'must be at least 1')
    .default(7),
  PRIVACY_REPORT_LINK_DAYS: z.coerce
    .number({ error: 'must be a whole number of days' })
    .int('must be a whole number of days')
    .min(1, 'must be at least 1 day')
    .max(REPORT_DAYS_MAX, `must be at most ${REPORT_DAYS_MAX} days`)
    .default(REPORT_DAYS_DEFAULT),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  databaseUrl: string;
  baseUrl: string;
  /** Whether BASE_URL was given (else it is made from HOST and PORT). */
  baseUrlSet: boolean;
  smtpUrl: string | undefined;
  redisUrl: string | undefined;
  siteConfigPath: string | undefined;
  appSecret: string | undefined;
  /** The data key and the older keys still needed to read what they sealed (rotation). */
  dataKey: string | undefined;
  previousDataKeys: string | undefined;
  /** Keys the audit chain and signs its checkpoints; unset, DATA_DIR/audit-key (decision 016). */
  auditKey: string | undefined;
  /** Where signed checkpoints of the audit chain's head are appended; keep it apart from backups. */
  auditCheckpointFile: string;
  /** Hours between scheduled checkpoints (one is also written at start). */
  auditCheckpointIntervalHours: number;
  notifyEmail: string[];
  /** Bearer token that opens /metrics to other machines; unset, only unproxied localhost may read it. */
  metricsToken: string | undefined;
  logLevel: Env['LOG_LEVEL'];
  trustProxy: boolean;
  intake: { minFillMs: number; rateLimit: number; rateWindow: string };
  loginRateLimit: number;
  outboxPollMs: number;
  /** Per client address and minute: events the collector accepts, and new visitors among them. */
  analyticsBounds: { eventsPerMinute: number; newVisitorsPerMinute: number };
  /** Analytics batches written on a worker thread with its own connection, or on the main one. */
  analyticsWriter: Env['ANALYTICS_WRITER'];
  /** Hours between scheduled retention runs; 0 turns the schedule off. */
  retentionIntervalHours: number;
  /** Days an access report stays readable behind its emailed link. */
  privacyReportLinkDays: number;
  /** Where the daily backup goes; unset, there is none (decision 024). */
  backupDir: string | undefined;
  /** How many daily backups are kept there. */
  backupKeep: number;
}

export class ConfigError extends Error {}

type Interfaces = ReturnType<typeof os.networkInterfaces>;

/**
 * The address links name when BASE_URL is unset: the host the server listens on, so a link
 * mailed or printed works from where the server is reached. A loopback host is `localhost`; a
 * wildcard (0.0.0.0, ::) is this machine's first external IPv4 address, else `localhost`.
 */
export function defaultBaseUrl(
  host: string,
  port: number,
  interfaces: Interfaces = os.networkInterfaces(),
): string {
  const loopback = ['localhost', '127.0.0.1', '::1', '[::1]'];
  let name = host;
  if (loopback.includes(host)) name = 'localhost';
  else if (host === '0.0.0.0' || host === '::' || host === '[::]') {
    const external = Object.values(interfaces)
      .flat()
      .find((a) => a && a.family === 'IPv4' && !a.internal);
    name = external?.address ?? 'localhost';
  } else if (host.includes(':') && !host.startsWith('[')) name = `[${host}]`;
  return `http://${name}:${port}`;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env, interfaces?: Interfaces): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    dataDir,
    databaseUrl: e.DATABASE_URL ?? `sqlite:${path.join(dataDir, 'starspmb.db')}`,
    baseUrl: (e.BASE_URL ?? defaultBaseUrl(e.HOST, e.PORT, interfaces)).replace(/\/$/, ''),
    baseUrlSet: e.BASE_URL !== undefined,
    smtpUrl: e.SMTP_URL,
    redisUrl: e.REDIS_URL,
    siteConfigPath: e.SITE_CONFIG,
    appSecret: e.APP_SECRET,
    dataKey: e.STARSPMB_DATA_KEY,
    previousDataKeys: e.STARSPMB_PREVIOUS_DATA_KEYS,
    auditKey: e.STARSPMB_AUDIT_KEY,
    auditCheckpointFile: path.resolve(
      e.AUDIT_CHECKPOINT_FILE ?? path.join(dataDir, 'audit-checkpoints.jsonl'),
    ),
    auditCheckpointIntervalHours: e.AUDIT_CHECKPOINT_INTERVAL_HOURS,
    notifyEmail: (e.NOTIFY_EMAIL ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
    metricsToken: e.METRICS_TOKEN,
    logLevel: e.LOG_LEVEL,
    trustProxy: e.TRUST_PROXY === 'true',
    intake: {
      minFillMs: e.INTAKE_MIN_FILL_MS,
      rateLimit: e.INTAKE_RATE_LIMIT,
      rateWindow: e.INTAKE_RATE_WINDOW,
    },
    loginRateLimit: e.LOGIN_RATE_LIMIT,
    outboxPollMs: e.OUTBOX_POLL_MS,
    analyticsBounds: {
      eventsPerMinute: e.ANALYTICS_EVENTS_PER_MINUTE,
      newVisitorsPerMinute: e.ANALYTICS_NEW_VISITORS_PER_MINUTE,
    },
    analyticsWriter: e.ANALYTICS_WRITER,
    retentionIntervalHours: e.RETENTION_INTERVAL_HOURS,
    privacyReportLinkDays: e.PRIVACY_REPORT_LINK_DAYS,
    backupDir: e.BACKUP_DIR === undefined ? undefined : path.resolve(e.BACKUP_DIR),
    backupKeep: e.BACKUP_KEEP,
  };
}
