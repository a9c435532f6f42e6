import assert from 'node:assert/strict'
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { freshServerDatabase } from '../support/database.ts'

// The real `achilles import` commands, run from the shared data folder with paths relative to it:
// on the PostgreSQL server (DATABASE_URL) directly; on PGlite in the command's own process, and
// through the running server's control socket, which runs the command in the server's process
// (and working directory), so the paths must reach it absolute.

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/achilles.mjs')
const POLICE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../shared/data/police')
const DECEMBER = 'leicestershire/2019-12-leicestershire-street.csv'
const DECEMBER_ROWS = fs.readFileSync(path.join(POLICE, DECEMBER), 'utf8').trim().split('\n').length - 1

let dataDir: string
let server: { url: string; drop: () => Promise<void> } | null
before(async () => {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'achilles-opendata-cli-'))
  server = await freshServerDatabase()
})
after(async () => {
  fs.rmSync(dataDir, { recursive: true, force: true })
  await server?.drop()
})

function env(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const base: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME, ACHILLES_DATA_DIR: dataDir, LOG_LEVEL: 'warn' }
  if (server) base.DATABASE_URL = server.url
  return { ...base, ...extra }
}

function run(args: string[], cwd = POLICE): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: env(), cwd })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

test('achilles import police-crime loads a month from a path relative to where it is run, and says what it did', async () => {
  assert.equal((await run(['migrate'])).code, 0)
  const r = await run(['import', 'police-crime', DECEMBER])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /Imported street-level crime from 1 file \(import [0-9a-f-]{36}\)\./)
  assert.match(r.stdout, new RegExp(`${DECEMBER_ROWS.toLocaleString('en-GB')} rows read, ${DECEMBER_ROWS.toLocaleString('en-GB')} loaded, 0 rejected`))
  assert.match(r.stdout, /No location: kept, counted for the force but in no area/)
  assert.match(r.stdout, /Importing street-level crime: [\d.]+ of [\d.]+ MB read/, 'a progress line now and then when not on a terminal')
  const again = await run(['import', 'police-crime', 'leicestershire/2019-12-leicestershire-street.csv'])
  assert.match(again.stdout, new RegExp(`Replaced ${DECEMBER_ROWS.toLocaleString('en-GB')} rows of earlier imports: Leicestershire Police, 2019-12`))
})

test('achilles import refuses a file of another kind (exit 1), and bad arguments (exit 2), saying why', async () => {
  const wrong = await run(['import', 'police-crime', 'stop-and-search/2019-06-greater-manchester-stop-and-search.csv'])
  assert.equal(wrong.code, 1)
  assert.match(wrong.stderr, /Nothing was imported\. 2019-06-greater-manchester-stop-and-search.csv is not a data.police.uk street-level crime file: it has no column "Month", "LSOA code", "Crime type" and "Falls within"/)
  const noLevel = await run(['import', 'boundaries', 'some.geojson'])
  assert.equal(noLevel.code, 2)
  assert.match(noLevel.stderr, /--level: Choose the level of the areas: lsoa, ward, local_authority, police_force/)
  const misplaced = await run(['import', 'police-crime', DECEMBER, '--force', 'Kent Police'])
  assert.equal(misplaced.code, 2)
  assert.match(misplaced.stderr, /--force is for stop-search only/)
  const unknown = await run(['import', 'everything', DECEMBER])
  assert.equal(unknown.code, 2)
  assert.match(unknown.stderr, /"everything" is not something achilles can import/)
  const noPath = await run(['import', 'imd'])
  assert.equal(noPath.code, 2)
  assert.match(noPath.stderr, /--PATH: Name at least one file or folder to import/)
})

/** Starts `achilles serve` on PGlite and resolves once it is listening. */
function startServer(): Promise<{ child: ChildProcess; exited: Promise<number | null> }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'serve'], { env: env({ PORT: '0' }), cwd: os.tmpdir() })
    let output = ''
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)))
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 90_000)
    child.stdout.on('data', (d) => {
      output += d
      if (/Achilles is running at/.test(output)) {
        clearTimeout(timer)
        resolve({ child, exited })
      }
    })
    child.stderr.on('data', (d) => (output += d))
  })
}

test('while the server holds the embedded database, the import runs inside it with the paths made absolute', { skip: process.env.DATABASE_URL ? 'the control socket is for the embedded database only' : false }, async () => {
  const running = await startServer()
  try {
    // The server's working directory is the system's temporary directory: a relative path reaching
    // it as written would name a file that is not there.
    const r = await run(['import', 'stop-search', 'stop-and-search/2021-08-west-yorkshire-stop-and-search.csv'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stdout, /Imported stop and search from 1 file/)
    assert.match(r.stdout, /West Yorkshire Police \(from the file name\), 2021-08 \(1,312 rows, 1,312 loaded\)/)
  } finally {
    running.child.kill('SIGTERM')
  }
  assert.equal(await running.exited, 0)
})
