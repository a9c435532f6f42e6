import type { FastifyInstance } from 'fastify'
import type { Config } from '../../src/config.ts'
import { loadConfig } from '../../src/config.ts'
import { demoPartnership, type Partnership } from '../../src/core/demo/partnership.ts'
import type { Database } from '../../src/db/connection.ts'
import { buildApp } from '../../src/http/app.ts'
import type { AppContext } from '../../src/http/context.ts'
import { cookieSecret } from '../../src/modules/auth/service.ts'
import { loadPartnership } from '../../src/modules/demo/service.ts'
import { freshDatabase } from './database.ts'

export const PASSWORD = 'correct horse battery staple'
export const ADMIN = 'admin@demo.achilles.example'

export type TestApp = {
  app: FastifyInstance
  db: Database
  ctx: AppContext
  partnership: Partnership
  clock: { now: Date }
  close: () => Promise<void>
}

/** The application over a fresh database holding the demonstration partnership. */
export async function startTestApp(overrides: Partial<Config> = {}): Promise<TestApp> {
  const { db, drop } = await freshDatabase()
  const partnership = demoPartnership({ adminEmail: ADMIN, today: '2026-11-23' })
  await loadPartnership(db, partnership, PASSWORD)
  const clock = { now: new Date() }
  const config: Config = { ...loadConfig({}), signInRatePerMinute: 1000, ...overrides }
  const ctx: AppContext = { db, config, now: () => clock.now, cookieSecret: await cookieSecret({ db }) }
  const app = await buildApp(ctx, { logger: process.env.TEST_LOG ? { level: process.env.TEST_LOG } : false })
  await app.ready()
  return {
    app,
    db,
    ctx,
    partnership,
    clock,
    close: async () => {
      await app.close()
      await drop()
    },
  }
}

type Reply = { status: number; body: string; headers: Record<string, unknown>; json: () => any }

/** A browser-like client over inject: keeps cookies, reads CSRF tokens out of forms. */
export class Client {
  private cookies = new Map<string, string>()
  constructor(private readonly app: FastifyInstance) {}

  private remember(setCookie: unknown) {
    for (const c of [setCookie ?? []].flat() as string[]) {
      const [pair = ''] = c.split(';')
      const eq = pair.indexOf('=')
      const name = pair.slice(0, eq)
      const value = pair.slice(eq + 1)
      if (value === '' || /Max-Age=0|Expires=Thu, 01 Jan 1970/i.test(c)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  cookie(name: string): string | undefined {
    return this.cookies.get(name)
  }

  setCookie(name: string, value: string) {
    this.cookies.set(name, value)
  }

  async request(method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, options: { form?: Record<string, string | string[]>; json?: unknown; headers?: Record<string, string> } = {}): Promise<Reply> {
    const headers: Record<string, string> = { ...options.headers }
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    let payload: string | undefined
    if (options.form) {
      const params = new URLSearchParams()
      for (const [k, v] of Object.entries(options.form)) for (const item of [v].flat()) params.append(k, item)
      payload = params.toString()
      headers['content-type'] = 'application/x-www-form-urlencoded'
    } else if (options.json !== undefined) {
      payload = JSON.stringify(options.json)
      headers['content-type'] = 'application/json'
    }
    const res = await this.app.inject({ method, url, headers, payload })
    this.remember(res.headers['set-cookie'])
    return { status: res.statusCode, body: res.body, headers: res.headers, json: () => JSON.parse(res.body) }
  }

  get(url: string) {
    return this.request('GET', url)
  }

  /** Fetches the page holding the form, then posts it with the page's CSRF token. */
  async submit(pageUrl: string, action: string, fields: Record<string, string | string[]>): Promise<Reply> {
    const page = await this.get(pageUrl)
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1]
    if (!token) throw new Error(`No CSRF token on ${pageUrl} (status ${page.status})`)
    return this.request('POST', action, { form: { _csrf: token, ...fields } })
  }

  async signIn(email: string, password = PASSWORD): Promise<Reply> {
    return this.submit('/sign-in', '/sign-in', { email, password })
  }
}

export async function signedIn(app: FastifyInstance, email: string): Promise<Client> {
  const client = new Client(app)
  const reply = await client.signIn(email)
  if (reply.status !== 303) throw new Error(`Could not sign in as ${email}: ${reply.status}`)
  return client
}
