import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { after, before, describe, test } from 'node:test'
import { fileURLToPath } from 'node:url'
import { parse } from 'csv-parse/sync'
import { LINKAGE_DATA, pairAccuracy } from '../../bench/linkageData.ts'
import { syntheticLinkage } from '../../bench/syntheticPeople.ts'

const BIN = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../bin/achilles.mjs')
const FEBRL = path.join(LINKAGE_DATA, 'febrl')
const FEBRL_MAP = 'given_name=given_name,family_name=surname,birth_date=date_of_birth,address=street_number+address_1+address_2,town=suburb,postcode=postcode,national_id=soc_sec_id'
let dir: string

before(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'achilles-match-'))
})
after(() => fs.rmSync(dir, { recursive: true, force: true }))

// The command needs no database; a data folder of its own shows it never opens one.
function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, 'match', ...args], { cwd: dir, env: { PATH: process.env.PATH, HOME: process.env.HOME, ACHILLES_DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn' } })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (d) => (stdout += d))
    child.stderr.on('data', (d) => (stderr += d))
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }))
  })
}

const readCsvFile = (file: string) => parse(fs.readFileSync(path.join(dir, file), 'utf8'), { columns: true }) as Record<string, string>[]

describe('achilles match on FEBRL 4a against 4b', () => {
  let result: { code: number; stdout: string; stderr: string }
  before(async () => {
    result = await run(['--input', path.join(FEBRL, 'dataset4a.csv'), '--input', path.join(FEBRL, 'dataset4b.csv'), '--id', 'rec_id', '--map', FEBRL_MAP, '--out', 'clusters.csv', '--explain', 'pairs.csv', '--save-model', 'model.json'])
  })

  test('writes one row per record, and the clusters reach an F1 of at least 0.99 against the truth', () => {
    assert.equal(result.code, 0, result.stderr)
    const rows = readCsvFile('clusters.csv')
    assert.deepEqual(Object.keys(rows[0]!), ['source', 'record_id', 'cluster_id'])
    assert.equal(rows.length, 10_000)
    assert.deepEqual(new Set(rows.map((r) => r.source)), new Set(['1', '2']))
    // The truth is in the FEBRL record ids (rec-12-org and rec-12-dup-0 are one person); the matcher never sees it.
    const truth = rows.map((r) => /^rec-(\d+)-/.exec(r.record_id!)![1]!)
    const clusters = Int32Array.from(rows.map((r) => Number(r.cluster_id)))
    const accuracy = pairAccuracy(truth, rows.map((r) => Number(r.source)), clusters, true)
    assert.ok(accuracy.f1 >= 0.99, `F1 ${accuracy.f1} (precision ${accuracy.precision}, recall ${accuracy.recall})`)
  })

  test('prints figures at the end, and every date that could not be read', () => {
    assert.match(result.stdout, /Matched 10,000 record\(s\) linking 1: dataset4a\.csv \(5,000\) with 2: dataset4b\.csv \(5,000\)/)
    assert.match(result.stdout, /Candidate pairs: [\d,]+ of 25,000,000 possible/)
    assert.match(result.stdout, /Clusters: [\d,]+, of which [\d,]+ hold more than one record/)
    assert.match(result.stdout, /peak memory [\d,]+ MB/)
    assert.match(result.stderr, /dataset4b\.csv, row 24, column J \("date_of_birth"\): the date of birth "19450493" is not a real date/)
    assert.match(result.stdout, /date\(s\) of birth could not be read/)
  })

  test('explains every scored pair field by field', () => {
    const pairs = readCsvFile('pairs.csv')
    assert.ok(pairs.length >= 4990)
    const first = pairs[0]!
    for (const column of ['source_1', 'record_id_1', 'source_2', 'record_id_2', 'probability', 'match_weight', 'linked', 'same_cluster', 'prior_weight', 'given_name', 'given_name_weight', 'birth_date_weight', 'national_id_weight', 'family_name_frequency_adjustment']) {
      assert.ok(column in first, column)
    }
    const fieldWeights = Object.keys(first).filter((k) => k.endsWith('_weight') && k !== 'match_weight' && k !== 'prior_weight')
    for (const p of pairs.slice(0, 50)) {
      const sum = Number(p.prior_weight) + fieldWeights.reduce((s, k) => s + Number(p[k]), 0)
      assert.ok(Math.abs(sum - Number(p.match_weight)) < 0.02, `${sum} vs ${p.match_weight}`)
    }
    assert.equal(first.given_name, 'the same')
    assert.ok(pairs.some((p) => p.linked === 'no'))
  })

  test('a saved model is reused as it is and gives the same clusters', async () => {
    const model = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'))
    assert.equal(model.version, 1)
    assert.ok(model.comparisons.some((c: { key: string }) => c.key === 'national_id'))
    const again = await run(['--input', path.join(FEBRL, 'dataset4a.csv'), '--input', path.join(FEBRL, 'dataset4b.csv'), '--id', 'rec_id', '--map', FEBRL_MAP, '--out', 'again.csv', '--model', 'model.json'])
    assert.equal(again.code, 0, again.stderr)
    assert.match(again.stdout, /Model: read from model\.json/)
    assert.equal(fs.readFileSync(path.join(dir, 'again.csv'), 'utf8'), fs.readFileSync(path.join(dir, 'clusters.csv'), 'utf8'))
    const other = await run(['--input', path.join(FEBRL, 'dataset4a.csv'), '--id', 'rec_id', '--map', FEBRL_MAP.replace(',national_id=soc_sec_id', ''), '--out', 'x.csv', '--model', 'model.json'])
    assert.equal(other.code, 2)
    assert.match(other.stderr, /model\.json was trained on other fields/)
  })
})

describe('achilles match on one partner file', () => {
  test('finds the duplicates in a file with a byte-order mark and another agency’s ways of writing things', async () => {
    // Enough people to train on (a model cannot be learnt from five rows), and among them the cases to find.
    const people = syntheticLinkage(600, 3).records
    const cell = (v: string | undefined) => (v === undefined ? '' : `"${v.replace(/"/g, '""')}"`)
    const lines = people.map((p, i) => [`S${i + 1}`, `${p.values.given_name} ${p.values.family_name}`, p.values.birth_date, p.values.postcode].map(cell).join(','))
    fs.writeFileSync(
      path.join(dir, 'tenants.csv'),
      '\uFEFFRef,Name,DOB,Postcode\r\n' +
        'T1,William Okonkwo,04/11/1990,LE1 6HA\r\n' +
        'T2,"OKONKWO, Bill",11/04/1990,le16ha\r\n' +
        'T3,Grace Featherstonehaugh,1979-11-02,NG7 2RD\r\n' +
        'T4,Priya Mistry,02/02/1961,DE1 1AA\r\n' +
        'T5,Grace Featherstonhaugh,02/11/1979,NG7 2RD\r\n' +
        `${lines.join('\r\n')}\r\n`,
    )
    const r = await run(['--input', 'tenants.csv', '--id', 'ref', '--map', 'full_name=Name,birth_date=DOB,postcode=Postcode', '--out', 'tenants-clusters.csv'])
    assert.equal(r.code, 0, r.stderr)
    const rows = readCsvFile('tenants-clusters.csv')
    assert.deepEqual(rows.slice(0, 5).map((x) => x.record_id), ['T1', 'T2', 'T3', 'T4', 'T5'])
    assert.equal(rows.length, 1205)
    const cluster = Object.fromEntries(rows.map((x) => [x.record_id, x.cluster_id]))
    assert.equal(cluster.T1, cluster.T2, 'Bill is William, with day and month swapped')
    assert.equal(cluster.T3, cluster.T5, 'one letter left out of a rare family name')
    assert.notEqual(cluster.T1, cluster.T3)
    assert.notEqual(cluster.T4, cluster.T1)
    assert.match(r.stdout, /deduplicating 1: tenants\.csv \(1,205\)/)
  })

  test('says so when a file is too small to train a model on', async () => {
    fs.writeFileSync(path.join(dir, 'few.csv'), 'id,name\n1,Amy Reid\n2,Amy Reid\n3,Sam Cole\n')
    const r = await run(['--input', 'few.csv', '--id', 'id', '--map', 'full_name=name', '--out', 'few-clusters.csv'])
    assert.equal(r.code, 0, r.stderr)
    assert.match(r.stderr, /too few candidate pairs to learn from/)
  })

  test('reads a file in another encoding when it is named', async () => {
    fs.writeFileSync(path.join(dir, 'latin.csv'), Buffer.from('id,given,family\r\n1,Zoë,Brontë\r\n2,Zoe,Bronte\r\n', 'latin1'))
    const refused = await run(['--input', 'latin.csv', '--id', 'id', '--map', 'given_name=given,family_name=family', '--out', 'latin-clusters.csv'])
    assert.equal(refused.code, 2)
    assert.match(refused.stderr, /latin\.csv is not UTF-8 text: name the encoding/)
    const read = await run(['--input', 'latin.csv', '--id', 'id', '--map', 'given_name=given,family_name=family', '--out', 'latin-clusters.csv', '--encoding', 'windows-1252'])
    assert.equal(read.code, 0, read.stderr)
    assert.equal(readCsvFile('latin-clusters.csv').length, 2)
  })
})

describe('achilles match refuses faulty input, naming the file, row and column, and writes nothing', () => {
  before(() => {
    fs.writeFileSync(path.join(dir, 'dupes.csv'), 'id,first,last,born\n1,Amy,Reid,01/02/1990\n2,Sam,Cole,31/02/1990\n1,Ann,Reid,01/02/1990\n,Joe,Bloggs,\n')
    fs.writeFileSync(path.join(dir, 'empty.csv'), '')
    fs.writeFileSync(path.join(dir, 'ok.csv'), 'id,first,last\n1,Amy,Reid\n')
  })

  test('duplicate and blank identifiers, every row listed', async () => {
    const r = await run(['--input', 'dupes.csv', '--id', 'id', '--map', 'given_name=first,family_name=last,birth_date=born', '--out', 'dupes-out.csv'])
    assert.equal(r.code, 2)
    assert.match(r.stderr, /dupes\.csv, row 2, column A \("id"\): the identifier "1" is on rows 2, 4/)
    assert.match(r.stderr, /dupes\.csv, row 4, column A \("id"\): the identifier "1" is on rows 2, 4/)
    assert.match(r.stderr, /dupes\.csv, row 5, column A \("id"\): the identifier is blank/)
    assert.match(r.stderr, /row 3, column D \("born"\): the date of birth "31\/02\/1990" is not a real date/)
    assert.match(r.stderr, /Nothing was matched: correct these 3 faults/)
    assert.equal(fs.existsSync(path.join(dir, 'dupes-out.csv')), false)
  })

  test('a mapping naming a missing column, an unknown field, or a missing id column', async () => {
    const missing = await run(['--input', 'ok.csv', '--id', 'id', '--map', 'given_name=first,family_name=surname', '--out', 'o.csv'])
    assert.equal(missing.code, 2)
    assert.match(missing.stderr, /ok\.csv, column "surname": family_name is mapped to a column "surname" that ok\.csv does not have: its columns are "id", "first", "last"/)
    const unknown = await run(['--input', 'ok.csv', '--id', 'id', '--map', 'given_name=first,shoe_size=last', '--out', 'o.csv'])
    assert.equal(unknown.code, 2)
    assert.match(unknown.stderr, /"shoe_size"/)
    const noId = await run(['--input', 'ok.csv', '--id', 'ref', '--map', 'given_name=first,family_name=last', '--out', 'o.csv'])
    assert.equal(noId.code, 2)
    assert.match(noId.stderr, /the identifier column "ref" is not in ok\.csv/)
    assert.equal(fs.existsSync(path.join(dir, 'o.csv')), false)
  })

  test('an empty file, a file that is not there, and arguments left out', async () => {
    const empty = await run(['--input', 'empty.csv', '--id', 'id', '--map', 'given_name=first', '--out', 'o.csv'])
    assert.equal(empty.code, 2)
    assert.match(empty.stderr, /empty\.csv: the file is empty/)
    const absent = await run(['--input', 'nowhere.csv', '--id', 'id', '--map', 'given_name=first', '--out', 'o.csv'])
    assert.match(absent.stderr, /nowhere\.csv: there is no such file/)
    const bare = await run(['--input', 'ok.csv', '--input', 'ok.csv', '--input', 'ok.csv'])
    assert.equal(bare.code, 2)
    assert.match(bare.stderr, /--input is given 3 times/)
    assert.match(bare.stderr, /--out is required/)
    assert.match(bare.stderr, /--id is required/)
    assert.match(bare.stderr, /--map is required/)
    assert.match(bare.stderr, /usage: achilles match/)
  })
})
