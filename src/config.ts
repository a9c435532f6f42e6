import path from 'node:path'
import { z } from 'zod'

// Every setting comes from the environment so a deployment is configured the same way
// in a container, a systemd unit or a shell; README.md lists them.
const booleanText = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes')

const environmentSchema = z.object({
  DATABASE_URL: z.string().url().optional(),
  ACHILLES_DATA_DIR: z.string().min(1).default('./data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().min(1).default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ACHILLES_ADMIN_EMAIL: z.string().email().optional(),
  ACHILLES_ADMIN_PASSWORD: z.string().min(12).optional(),
  ACHILLES_COOKIE_SECURE: booleanText.default(true),
  ACHILLES_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(30),
  ACHILLES_SESSION_MAX_HOURS: z.coerce.number().int().min(1).max(7 * 24).default(12),
  ACHILLES_SIGNIN_MAX_FAILURES: z.coerce.number().int().min(1).max(100).default(5),
  ACHILLES_LOCKOUT_MINUTES: z.coerce.number().int().min(1).max(24 * 60).default(15),
  ACHILLES_SIGNIN_RATE_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(20),
  ACHILLES_SHUTDOWN_GRACE_SECONDS: z.coerce.number().int().min(1).max(600).default(30),
  ACHILLES_DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
  // Published counts (overlays, profiles) from 1 to this less one are shown as "fewer than N".
  ACHILLES_SUPPRESSION_THRESHOLD: z.coerce.number().int().min(1).max(100).default(5),
  // Base map tiles are optional: the map page draws boundaries from the database and needs no
  // internet. A tile server the partnership may use (its own, or a provider it has terms with).
  ACHILLES_MAP_TILES_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\//.test(u) && ['{z}', '{x}', '{y}'].every((p) => u.includes(p)), 'must be an http(s) tile URL template with {z}, {x} and {y}')
    .optional(),
  ACHILLES_MAP_TILES_ATTRIBUTION: z.string().max(500).optional(),
  // E-mail goes out through a relay the partnership runs or contracts (src/modules/mail). Unset,
  // mail waits in the outbox and is sent once it is set: nothing is lost.
  ACHILLES_SMTP_URL: z
    .string()
    .url()
    .refine((u) => /^smtps?:\/\/[^/?#]/i.test(u), 'must be an smtp:// or smtps:// URL, e.g. smtp://relay.example.org:587')
    .optional(),
  ACHILLES_MAIL_FROM: z
    .string()
    .max(320)
    .regex(/^(?:[^<>\r\n]*<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/, 'must be an address, or a name and <address>')
    .default('Achilles <achilles@localhost>'),
  // The address people reach Achilles at, for links in e-mail: behind a proxy, or on HOST 0.0.0.0,
  // the listening address is not it.
  ACHILLES_BASE_URL: z
    .string()
    .url()
    .refine((u) => /^https?:\/\/[^/?#]/i.test(u) && !/[?#]/.test(u), 'must be an http(s) URL without a query, e.g. https://achilles.example.org')
    .transform((u) => u.replace(/\/+$/, ''))
    .optional(),
})

export type Config = {
  databaseUrl: string | undefined
  dataDir: string
  port: number
  host: string
  logLevel: z.infer<typeof environmentSchema>['LOG_LEVEL']
  adminEmail: string | undefined
  adminPassword: string | undefined
  cookieSecure: boolean
  sessionIdleMinutes: number
  sessionMaxHours: number
  signInMaxFailures: number
  lockoutMinutes: number
  signInRatePerMinute: number
  shutdownGraceSeconds: number
  dbPoolSize: number
  suppressionThreshold: number
  /** A base map tile URL template ({z}/{x}/{y}), or none: the map then shows boundaries alone. */
  mapTilesUrl: string | undefined
  mapTilesAttribution: string | undefined
  /** The SMTP relay, smtp:// or smtps:// (credentials in the URL); none keeps mail queued. */
  smtpUrl: string | undefined
  mailFrom: string
  /** Where people reach Achilles, without a trailing slash; see baseUrl() for the fallback. */
  baseUrl: string | undefined
}

export class ConfigError extends Error {}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''))
  const parsed = environmentSchema.safeParse(present)
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`)
    throw new ConfigError(`Invalid configuration in the environment:\n${lines.join('\n')}`)
  }
  const e = parsed.data
  return {
    databaseUrl: e.DATABASE_URL,
    dataDir: path.resolve(e.ACHILLES_DATA_DIR),
    port: e.PORT,
    host: e.HOST,
    logLevel: e.LOG_LEVEL,
    adminEmail: e.ACHILLES_ADMIN_EMAIL,
    adminPassword: e.ACHILLES_ADMIN_PASSWORD,
    cookieSecure: e.ACHILLES_COOKIE_SECURE,
    sessionIdleMinutes: e.ACHILLES_SESSION_IDLE_MINUTES,
    sessionMaxHours: e.ACHILLES_SESSION_MAX_HOURS,
    signInMaxFailures: e.ACHILLES_SIGNIN_MAX_FAILURES,
    lockoutMinutes: e.ACHILLES_LOCKOUT_MINUTES,
    signInRatePerMinute: e.ACHILLES_SIGNIN_RATE_PER_MINUTE,
    shutdownGraceSeconds: e.ACHILLES_SHUTDOWN_GRACE_SECONDS,
    dbPoolSize: e.ACHILLES_DB_POOL_SIZE,
    suppressionThreshold: e.ACHILLES_SUPPRESSION_THRESHOLD,
    mapTilesUrl: e.ACHILLES_MAP_TILES_URL,
    mapTilesAttribution: e.ACHILLES_MAP_TILES_ATTRIBUTION,
    smtpUrl: e.ACHILLES_SMTP_URL,
    mailFrom: e.ACHILLES_MAIL_FROM,
    baseUrl: e.ACHILLES_BASE_URL,
  }
}

/** The address links to Achilles start with: ACHILLES_BASE_URL, or else http://HOST:PORT. */
export function baseUrl(config: Pick<Config, 'baseUrl' | 'host' | 'port'>): string {
  if (config.baseUrl) return config.baseUrl
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  return `http://${host}:${config.port}`
}
