import { ConfigError, loadConfig, type Config } from '../config.ts'
import type { Database } from '../db/connection.ts'
import type { CommandEnv } from './commands.ts'
import type { LocalEnv } from './match.ts'
import { isServing, runInServer } from './control.ts'
import { withAbsolutePaths } from './importArgs.ts'
import { withAbsoluteOut } from './profileArgs.ts'

// The database drivers, services and web server load only when this process needs them, so a
// command handed to the running server starts quickly.
const commandsModule = () => import('./commands.ts')

// Commands that work on the user's own files and need no database run here, never in the server.
const LOCAL_COMMANDS: Record<string, () => Promise<(env: LocalEnv, args: string[]) => Promise<number>>> = {
  match: async () => (await import('./match.ts')).runMatch,
  network: async () => (await import('./network.ts')).runNetwork,
}

async function help(): Promise<string> {
  const { COMMANDS } = await commandsModule()
  return `Achilles: a platform for partnerships against serious and organised crime

Usage: achilles <command> [options]

  start                 migrate, load demonstration data if the database is empty, and serve
  serve                 migrate and serve (no demonstration data)
${Object.entries(COMMANDS)
  .map(([name, c]) => `  ${name.padEnd(22)}${c.summary}\n  ${' '.repeat(22)}${c.usage}`)
  .join('\n')}

Configuration comes from environment variables; see README.md.`
}

async function openFor(config: Config): Promise<Database> {
  const { openDatabase } = await import('../db/connection.ts')
  return openDatabase({ url: config.databaseUrl, dataDir: config.databaseUrl ? undefined : config.dataDir, poolSize: config.dbPoolSize })
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv
  if (!name || name === 'help' || name === '--help' || name === '-h') {
    process.stdout.write(`${await help()}\n`)
    return name ? 0 : 2
  }
  const config = loadConfig()
  const now = () => new Date()
  const write = (stream: NodeJS.WriteStream) => (text: string) => void stream.write(text)

  if (name === 'start' || name === 'serve') {
    if (!config.databaseUrl && (await isServing(config.dataDir))) {
      process.stderr.write(`An Achilles server is already running on ${config.dataDir}.\n`)
      return 1
    }
    const [{ describeSeed, seedDemonstration }, { serve, stopOnSignals }] = await Promise.all([commandsModule(), import('./serve.ts')])
    const db = await openFor(config)
    const env: CommandEnv = { db, config, now, out: write(process.stdout), err: write(process.stderr), isTTY: Boolean(process.stdout.isTTY) }
    const seeded = name === 'start' ? await seedDemonstration(env, 'demo') : null
    const running = await serve(db, config, now)
    stopOnSignals(running, config.shutdownGraceSeconds, (text) => running.app.log.info(text))
    process.stdout.write(`\nAchilles is running at ${running.address}  (database: ${db.engine === 'pglite' ? `embedded, ${config.dataDir}` : 'PostgreSQL server'})\n`)
    if (seeded) describeSeed(env, seeded)
    process.stdout.write(`API documentation: ${running.address}/api/docs\n\n`)
    return -1 // keep running
  }

  const local = LOCAL_COMMANDS[name]
  if (local) return (await local())({ out: write(process.stdout), err: write(process.stderr), isTTY: Boolean(process.stdout.isTTY) }, args)

  if (!config.databaseUrl) {
    // The server runs the command in its own working directory, so paths go to it absolute.
    const remote = await runInServer(config.dataDir, withAbsoluteOut(withAbsolutePaths(argv, process.cwd()), process.cwd()))
    if (remote !== null) return remote
  }
  const command = (await commandsModule()).COMMANDS[name]
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n\n${await help()}\n`)
    return 2
  }
  const db = await openFor(config)
  try {
    return await command.run({ db, config, now, out: write(process.stdout), err: write(process.stderr), isTTY: Boolean(process.stdout.isTTY) }, args)
  } finally {
    await db.close()
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof ConfigError ? error.message : `achilles: ${(error as Error).message}`}\n`)
    process.exitCode = 1
  },
)
