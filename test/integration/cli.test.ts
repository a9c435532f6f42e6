import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { freshServerDatabase } from '../support/database.ts'

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/achilles.mjs')
const PASSWORD = 'a demonstration password'
let dataDir: string
let server: { url: string; drop: () => Promise<void> } | null

before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'achilles-cli-'))
  server = await freshServerDatabase()
})
after(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true })
  await server?.drop()
})

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ACHILLES_DATA_DIR: dataDir, ACHILLES_ADMIN_PASSWORD: PASSWORD, LOG_LEVEL: 'info' }
  if (server) base.DATABASE_URL = server.url
  return { ...base, ...extra }
}

function run(args: string[], extra: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: env(extra) })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

/** Starts `achilles serve` and resolves with its address once it says it is running. */
function startServer(): Promise<{ child: ChildProcess; address: string; output: () => string; exited: Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], { env: env({ PORT: '0' }) })
    let output = ''
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 60_000)
    child.stdout.on('data', (d) => {
      output += d
      const m = /Achilles is running at (http:\/\/[^\s]+)/.exec(output)
      if (m) {
        clearTimeout(timer)
        resolve({ child, address: m[1]!, output: () => output, exited })
      }
    })
    child.stderr.on('data', (d) => (output += d))
  })
}

test('migrate applies the migrations once, then finds nothing to do', async () => {
  const first = await run(['migrate'])
  assert.equal(first.code, 0, first.stderr)
  assert.match(first.stdout, /Applied \d+ migration\(s\): 0001_roles_and_settings.sql/)
  assert.match(first.stdout, /Installed the shipped prioritisation models: tactical, thematic/)
  const second = await run(['migrate'])
  assert.equal(second.code, 0, second.stderr)
  assert.match(second.stdout, /up to date/)
  assert.doesNotMatch(second.stdout, /Installed the shipped/)
})

test('seed loads the demonstration partnership once and prints the logins', async () => {
  const first = await run(['seed'])
  assert.equal(first.code, 0, first.stderr)
  assert.match(first.stdout, /Loaded invented demonstration data: \d+ agencies, \d+ users, \d+ shared notes/)
  assert.match(first.stdout, /a crime picture: 24 organised crime groups, \d+ memberships, \d+ people and other entities, \d+ links, 2000 intelligence records, \d+ group assessments/)
  assert.match(first.stdout, new RegExp(`Administrator: admin@demo.achilles.example  password: ${PASSWORD}`))
  assert.match(first.stdout, /analyst@demo.achilles.example/)
  const again = await run(['seed'])
  assert.match(again.stdout, /already holds data/)
  const badScale = await run(['seed', '--scale', 'galactic'])
  assert.equal(badScale.code, 2)
  assert.match(badScale.stderr, /--scale must be/)
})

test('token create prints a token; bad arguments are named', async () => {
  const made = await run(['token', 'create', '--user', 'analyst@demo.achilles.example', '--scope', 'records:read'])
  assert.equal(made.code, 0, made.stderr)
  assert.match(made.stdout.trim(), /^ach_[A-Za-z0-9_-]{43}$/)
  const noUser = await run(['token', 'create', '--user', 'nobody@example.org', '--scope', 'records:read'])
  assert.equal(noUser.code, 2)
  assert.match(noUser.stderr, /No user has the email address nobody@example.org/)
  const badScope = await run(['token', 'create', '--user', 'analyst@demo.achilles.example', '--scope', 'everything'])
  assert.equal(badScope.code, 2)
  assert.match(badScope.stderr, /--scope: Choose scopes from the list/)
})

test('verify-audit reports an intact chain', async () => {
  const res = await run(['verify-audit'])
  assert.equal(res.code, 0, res.stderr)
  assert.match(res.stdout, /Audit chain intact: \d+ row\(s\) checked/)
})

test('an unknown command or bad configuration is answered clearly', async () => {
  const unknown = await run(['frobnicate'])
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /Unknown command "frobnicate"/)
  const badPort = await run(['migrate'], { PORT: 'eighty' })
  assert.equal(badPort.code, 1)
  assert.match(badPort.stderr, /PORT/)
})

test('while the server runs, the command line still works; the server logs JSON and stops cleanly on SIGTERM', async () => {
  const running = await startServer()
  try {
    const health = await fetch(`${running.address}/healthz`)
    assert.equal(health.status, 200)
    const made = await run(['token', 'create', '--user', 'analyst@demo.achilles.example', '--scope', 'records:read'])
    assert.equal(made.code, 0, made.stderr)
    const token = made.stdout.trim()
    const notes = await fetch(`${running.address}/api/v1/notes`, { headers: { authorization: `Bearer ${token}` } })
    assert.equal(notes.status, 200)
    const verify = await run(['verify-audit'])
    assert.equal(verify.code, 0, verify.stderr)
    assert.match(verify.stdout, /Audit chain intact/)
    // The embedded database belongs to one server; on a PostgreSQL server several may share one.
    if (!server) {
      const second = await run(['serve'], { PORT: '0' })
      assert.equal(second.code, 1)
      assert.match(second.stderr, /already running/)
    }
    const logLine = running.output().split('\n').find((l) => l.startsWith('{'))
    assert.ok(logLine, 'the server writes JSON log lines')
    assert.equal(typeof JSON.parse(logLine!).level, 'number')
  } finally {
    running.child.kill('SIGTERM')
  }
  assert.equal(await running.exited, 0)
  assert.equal(fs.existsSync(path.join(dataDir, 'achilles.sock')), false, 'the control socket is removed')
})
