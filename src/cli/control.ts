import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import readline from 'node:readline'
import type { CommandEnv } from './commands.ts'

// PGlite is one process's database. While the server holds it, the command line hands its command
// to the server over a Unix socket in the data directory and prints what comes back. The socket is
// made readable only by the account that runs the server, which is the same trust as the files.

export const socketPath = (dataDir: string) => path.join(dataDir, 'achilles.sock')

type Message = { type: 'out' | 'err'; text: string } | { type: 'exit'; code: number }

export async function serveControlSocket(
  dataDir: string,
  run: (args: string[], io: Pick<CommandEnv, 'out' | 'err' | 'isTTY'>) => Promise<number>,
): Promise<net.Server> {
  const file = socketPath(dataDir)
  if (fs.existsSync(file)) {
    if (await answers(file)) throw new Error(`Another Achilles server is using ${dataDir}`)
    fs.rmSync(file) // left behind by a server that did not shut down cleanly
  }
  const server = net.createServer((socket) => {
    const lines = readline.createInterface({ input: socket })
    lines.once('line', async (first) => {
      const send = (m: Message) => socket.write(`${JSON.stringify(m)}\n`)
      let code = 1
      try {
        const request = JSON.parse(first) as { args?: unknown; isTTY?: unknown }
        if (!Array.isArray(request.args) || !request.args.every((a) => typeof a === 'string')) throw new Error('bad request')
        code = await run(request.args, { out: (text) => send({ type: 'out', text }), err: (text) => send({ type: 'err', text }), isTTY: request.isTTY === true })
      } catch (error) {
        send({ type: 'err', text: `${(error as Error).message}\n` })
      }
      send({ type: 'exit', code })
      socket.end()
    })
  })
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(file, resolve))
  fs.chmodSync(file, 0o600)
  server.on('close', () => fs.rmSync(file, { force: true }))
  return server
}

function answers(file: string): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(file)
    s.once('connect', () => {
      s.destroy()
      resolve(true)
    })
    s.once('error', () => resolve(false))
  })
}

/** Whether a server holds the embedded database in this data directory. */
export async function isServing(dataDir: string): Promise<boolean> {
  const file = socketPath(dataDir)
  return fs.existsSync(file) && (await answers(file))
}

/** Runs a command in the server holding the embedded database, if one is; null when none is. */
export async function runInServer(dataDir: string, args: string[]): Promise<number | null> {
  if (!(await isServing(dataDir))) return null
  const file = socketPath(dataDir)
  return new Promise((resolve, reject) => {
    const socket = net.connect(file)
    socket.once('error', reject)
    socket.write(`${JSON.stringify({ args, isTTY: Boolean(process.stdout.isTTY) })}\n`)
    let code = 1
    readline.createInterface({ input: socket }).on('line', (text) => {
      const m = JSON.parse(text) as Message
      if (m.type === 'exit') code = m.code
      else (m.type === 'out' ? process.stdout : process.stderr).write(m.text)
    })
    socket.once('close', () => resolve(code))
  })
}
