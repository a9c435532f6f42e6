import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { sql } from 'kysely'
import { readEncodings } from '../../src/core/matching/privacy/compare.ts'
import { asSystem } from '../../src/db/context.ts'
import { issueApiToken } from '../../src/modules/auth/service.ts'
import { startTestApp } from '../support/app.ts'
import { engineName } from '../support/database.ts'

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/achilles.mjs')
let dir: string

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'achilles-encode-'))
  fs.writeFileSync(path.join(dir, 'people.csv'), 'Ref,Forename,Surname,Born,House,Street,Post code\r\nHX-77301,Jonathan,Featherstonehaugh,12/03/1985,14,Granby Street,LE1 6HA\r\nHX-77302,Grace,Okonkwo,1979-11-02,,Derby Road,NG7 2RD\r\n')
  fs.writeFileSync(path.join(dir, 'secret'), 'a partnership secret of 32 bytes\n', { mode: 0o600 })
  fs.writeFileSync(path.join(dir, 'short'), 'too short\n')
})
after(() => fs.rmSync(dir, { recursive: true, force: true }))

const RAW = ['HX-77301', 'HX-77302', 'Jonathan', 'Featherstonehaugh', 'Okonkwo', 'Granby', 'Derby', 'LE1', 'NG7', '1985', '1979', '19850312', '19791102', 'le16ha', 'ng72rd']

// The command needs no database: it runs where the partner's records are, on an embedded data
// folder of its own here so no server is involved.
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ACHILLES_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

const MAP = 'given_name=Forename,family_name=Surname,birth_date=Born,address=House+Street,postcode=Post code'

test('encode writes a header and one encoded record a line, with figures, and no value from the file', async () => {
  const r = await run(['encode', '--input', 'people.csv', '--id', 'Ref', '--map', MAP, '--secret-file', 'secret', '--out', 'encodings.jsonl'])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /Encoding records/)
  assert.match(r.stdout, /Encoded 2 record\(s\), 10 field value\(s\) in 5 mapped field\(s\) \(given_name, family_name, birth_date, address, postcode\), in \d+\.\d\d s\./)
  assert.match(r.stdout, /Key check [0-9a-f]{32}/)
  const text = fs.readFileSync(path.join(dir, 'encodings.jsonl'), 'utf8')
  const read = readEncodings(text, 1)
  assert.ok('records' in read, JSON.stringify(read))
  assert.equal(read.records.length, 2)
  for (const value of RAW) {
    assert.ok(!text.toLowerCase().includes(value.toLowerCase()), `${value} appears in the encodings`)
  }
  assert.ok(!fs.existsSync(path.join(dir, 'encodings.jsonl.partial')))
})

test('encode --refs writes, for the partner alone, each id beside the reference a hit will name', async () => {
  const r = await run(['encode', '--input', 'people.csv', '--id', 'Ref', '--map', MAP, '--secret-file', 'secret', '--out', 'with-refs.jsonl', '--refs', 'refs.csv'])
  assert.equal(r.code, 0, r.stderr)
  assert.match(r.stdout, /Wrote refs.csv: your ids beside the references the hub names them by/)
  const refs = fs.readFileSync(path.join(dir, 'refs.csv'), 'utf8').trim().split('\r\n').map((l) => l.split(','))
  const lines = fs.readFileSync(path.join(dir, 'with-refs.jsonl'), 'utf8').trim().split('\n').slice(1).map((l) => JSON.parse(l).ref)
  assert.deepEqual(refs, [['id', 'ref'], ['HX-77301', lines[0]], ['HX-77302', lines[1]]])
  assert.equal(fs.statSync(path.join(dir, 'refs.csv')).mode & 0o077, 0, 'only its owner may read it')
  const same = await run(['encode', '--input', 'people.csv', '--id', 'Ref', '--map', MAP, '--secret-file', 'secret', '--out', 'x.jsonl', '--refs', 'x.jsonl'])
  assert.equal(same.code, 2)
  assert.match(same.stderr, /--refs must name another file than --out/)
})

test('encode refuses a short secret, a secret on the command line, and a mapping with unknown fields or columns', async () => {
  const short = await run(['encode', '--input', 'people.csv', '--id', 'Ref', '--map', MAP, '--secret-file', 'short', '--out', 'x.jsonl'])
  assert.equal(short.code, 2)
  assert.match(short.stderr, /is 9 byte\(s\) long: a partnership secret must be at least 16 bytes/)
  const inline = await run(['encode', '--input', 'people.csv', '--id', 'Ref', '--map', MAP, '--secret', 'a partnership secret of 32 bytes', '--out', 'x.jsonl'])
  assert.equal(inline.code, 2)
  assert.match(inline.stderr, /never given on the command line/)
  const badMap = await run(['encode', '--input', 'people.csv', '--id', 'Ref', '--map', 'forename=Forename,family_name=Surname', '--secret-file', 'secret', '--out', 'x.jsonl'])
  assert.equal(badMap.code, 2)
  assert.match(badMap.stderr, /--map: This is not a canonical field: "forename"/)
  const badColumn = await run(['encode', '--input', 'people.csv', '--id', 'Reference', '--map', 'given_name=First', '--secret-file', 'secret', '--out', 'x.jsonl'])
  assert.equal(badColumn.code, 2)
  assert.match(badColumn.stderr, /--id: the file has no column "Reference"/)
  assert.match(badColumn.stderr, /--map: The file has no column "First" \(for given_name\)/)
  const missing = await run(['encode', '--input', 'people.csv'])
  assert.equal(missing.code, 2)
  assert.match(missing.stderr, /--id is required\n--map is required\n--secret-file is required\n--out is required/)
  assert.ok(!fs.existsSync(path.join(dir, 'x.jsonl')))
})

test(`the file encode wrote, uploaded to the hub, is stored with no value from the file either (${engineName()})`, async () => {
  const r = await run(['encode', '--input', 'people.csv', '--id', 'Ref', '--map', MAP, '--secret-file', 'secret', '--out', 'upload.jsonl'])
  assert.equal(r.code, 0, r.stderr)
  const t = await startTestApp()
  try {
    const analyst = t.partnership.users.find((u) => u.email === 'analyst@demo.achilles.example')!
    const { token } = await issueApiToken(t.ctx, 'system', analyst.id, { name: 'encode test', scopes: ['records:read', 'records:write'] })
    const res = await t.app.inject({
      method: 'POST', url: '/api/v1/privacy/uploads', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ contact: 'Force intelligence bureau', purpose: 'Partnership matching', reviewDate: '2030-01-01', fileName: 'upload.jsonl', encodings: fs.readFileSync(path.join(dir, 'upload.jsonl'), 'utf8') }),
    })
    assert.equal(res.statusCode, 201, res.body)
    assert.equal(JSON.parse(res.body).upload.records, 2)
    // Every row of every table the upload touched, as text: the encodings and their description.
    const stored = await asSystem(t.db, async (tx) => {
      const out: string[] = []
      for (const table of ['privacy_uploads', 'privacy_encodings', 'privacy_models', 'privacy_queries', 'privacy_query_hits']) {
        out.push(...(await sql<{ r: string }>`SELECT row_to_json(x)::text AS r FROM ${sql.table(table)} x`.execute(tx)).rows.map((x) => x.r))
      }
      return out.join('\n')
    })
    assert.match(stored, /"record_count":2/)
    for (const value of RAW) assert.ok(!stored.toLowerCase().includes(value.toLowerCase()), `${value} is stored at the hub`)
  } finally {
    await t.close()
  }
})
