import type { FastifyInstance } from 'fastify'
import type net from 'node:net'
import type { Config } from '../config.ts'
import type { Database } from '../db/connection.ts'
import { buildApp } from '../http/app.ts'
import { cookieSecret } from '../modules/auth/service.ts'
import { startMailer } from '../modules/mail/service.ts'
import { startNightlyWork } from './nightly.ts'
import { COMMANDS, prepareDatabase, type CommandEnv } from './commands.ts'
import { serveControlSocket } from './control.ts'

export type Running = { app: FastifyInstance; address: string; stop: () => Promise<void> }

/** Starts the web server; on PGlite also the control socket through which the CLI reaches it. */
export async function serve(db: Database, config: Config, now: () => Date = () => new Date()): Promise<Running> {
  await prepareDatabase(db)
  const app = await buildApp({ db, config, now, cookieSecret: await cookieSecret({ db }) })
  let control: net.Server | undefined
  if (db.engine === 'pglite') {
    control = await serveControlSocket(config.dataDir, async (args, io) => {
      const [name, ...rest] = args
      const command = name ? COMMANDS[name] : undefined
      if (!command) {
        io.err(`The running server cannot do "${args.join(' ')}"\n`)
        return 2
      }
      const env: CommandEnv = { db, config, now, ...io }
      return command.run(env, rest)
    })
  }
  await app.listen({ port: config.port, host: config.host })
  const mailer = startMailer({ db, config, now, log: app.log })
  const nightly = startNightlyWork({ db, config, now, log: app.log })
  const addressInfo = app.server.address()
  const port = typeof addressInfo === 'object' && addressInfo ? addressInfo.port : config.port
  const host = config.host.includes(':') ? `[${config.host}]` : config.host
  let stopping: Promise<void> | undefined
  const stop = () =>
    (stopping ??= (async () => {
      control?.close()
      // Fastify stops accepting, answers new requests with 503 and waits for those in flight.
      await app.close()
      await nightly.stop()
      await mailer.stop()
      await db.close()
    })())
  return { app, address: `http://${host}:${port}`, stop }
}

/** Stops cleanly on SIGTERM or SIGINT, giving in-flight requests the configured grace period. */
export function stopOnSignals(running: Running, graceSeconds: number, log: (text: string) => void): void {
  const onSignal = (signal: NodeJS.Signals) => {
    log(`Received ${signal}: finishing requests in flight, then stopping.`)
    const force = setTimeout(() => {
      log(`Still busy after ${graceSeconds} s; stopping anyway.`)
      process.exit(1)
    }, graceSeconds * 1000)
    force.unref()
    running.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        log(`Error while stopping: ${(error as Error).message}`)
        process.exit(1)
      },
    )
  }
  process.once('SIGTERM', onSignal)
  process.once('SIGINT', onSignal)
}
