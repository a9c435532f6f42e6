import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import type { FieldIssue } from '../../src/core/errors.ts'
import { columnLetter, decodeCsvFile, readCsv } from '../../src/core/imports/csv.ts'
import { IMPORT_DEFINITIONS } from '../../src/core/imports/kinds.ts'
import { checkPlan, suggestMapping, type ImportPlan, type Mapping } from '../../src/core/imports/mapping.ts'
import { duplicateFaults, prepareFile, reportOf, type PreparedRow } from '../../src/core/imports/rows.ts'
import { convertBoolean, convertChoice, convertDate, convertId, normaliseHeading, splitGrade, splitList } from '../../src/core/imports/values.ts'
import { MEMBER_ROLE_LABELS } from '../../src/core/reference/crime.ts'

const AGENCIES = [
  { id: '11111111-1111-4111-8111-111111111111', name: 'Leicestershire Police', shortName: 'LP' },
  { id: '22222222-2222-4222-8222-222222222222', name: 'HM Revenue and Customs', shortName: 'HMRC' },
]
const GROUP = '33333333-3333-4333-8333-333333333333'
const PERSON_A = '44444444-4444-4444-8444-444444444444'
const PERSON_B = '55555555-5555-4555-8555-555555555555'

const col = (column: string) => ({ column, value: null })
const val = (value: string) => ({ column: null, value })

function table(text: string) {
  const reading = readCsv(text)
  assert.ok(reading.table, JSON.stringify(reading.problems))
  return reading.table
}

describe('reading CSV', () => {
  test('a byte-order mark, Windows line endings and quoted commas, quotes and line breaks are read as written', () => {
    const reading = readCsv('\ufeffName,Summary\r\n"Smith, John","He said ""no""\r\nand left"\r\nJones,plain\r\n')
    assert.deepEqual(reading.problems, [])
    assert.deepEqual(reading.table?.headers, ['Name', 'Summary'])
    assert.deepEqual(reading.table?.rows, [
      { row: 2, cells: ['Smith, John', 'He said "no"\r\nand left'] },
      { row: 3, cells: ['Jones', 'plain'] },
    ])
  })

  test('blank rows are skipped but the rows after them keep the numbers a spreadsheet shows', () => {
    const t = table('Name\nA\n\n,\nB\n')
    assert.deepEqual(t.rows.map((r) => [r.row, r.cells[0]]), [[2, 'A'], [5, 'B']])
  })

  test('an unclosed quote stops the reading at the row where it opens', () => {
    const reading = readCsv('Name,Note\nA,fine\nB,"never closed\nC,x\n')
    assert.equal(reading.table, null)
    assert.equal(reading.problems[0]?.row, 3)
    assert.match(reading.problems[0]!.message, /never closed/)
  })

  test('headings must be unique, and a column holding values must have one', () => {
    const reading = readCsv('Name,name,\nA,B,C\n')
    assert.deepEqual(reading.problems.map((p) => p.message), [
      'Column C holds values but has no heading: give it a heading in row 1',
      'Columns A and B are both headed "name": give each column its own heading',
    ])
  })

  test('an empty file, or one with headings only, says so', () => {
    assert.match(readCsv('').problems[0]!.message, /empty/)
    assert.match(readCsv('Name\n').problems[0]!.message, /no rows/)
  })

  test('columns are lettered as a spreadsheet letters them', () => {
    assert.deepEqual([0, 25, 26, 27, 701, 702].map(columnLetter), ['A', 'Z', 'AA', 'AB', 'ZZ', 'AAA'])
  })

  test('only UTF-8 files are accepted, so names are never garbled by a guessed encoding', () => {
    assert.deepEqual(decodeCsvFile(new TextEncoder().encode('Name\nZoë\n')), { text: 'Name\nZoë\n' })
    const latin1 = Uint8Array.from([0x4e, 0x61, 0x6d, 0x65, 0x0a, 0x5a, 0x6f, 0xeb, 0x0a])
    assert.match((decodeCsvFile(latin1) as { problem: string }).problem, /CSV UTF-8/)
  })
})

describe('cell values', () => {
  test('dates are read as YYYY-MM-DD, DD/MM/YYYY or 7 March 2024, and nothing else is guessed', () => {
    const ok = (s: string) => (convertDate(s) as { value: string }).value
    const problem = (s: string) => (convertDate(s) as { problem: string }).problem
    assert.equal(ok('2024-03-07'), '2024-03-07')
    assert.equal(ok('07/03/2024'), '2024-03-07')
    assert.equal(ok('7/3/2024'), '2024-03-07')
    assert.equal(ok('7 March 2024'), '2024-03-07')
    assert.equal(ok('7 Mar 2024'), '2024-03-07')
    assert.equal(ok('29/02/2024'), '2024-02-29', 'a leap day')
    assert.match(problem('29/02/2023'), /not a real date/)
    assert.match(problem('2024-02-30'), /not a real date/)
    assert.match(problem('07/03/24'), /2-digit year/)
    assert.match(problem('03/13/2024'), /month first.*2024-03-13/)
    assert.match(problem('2024/03/07'), /YYYY-MM-DD/)
    assert.match(problem('next Tuesday'), /YYYY-MM-DD/)
  })

  test('lists are split on ; or |, and blank items are dropped', () => {
    assert.deepEqual(splitList(' Leicester; Loughborough |Hinckley;; '), ['Leicester', 'Loughborough', 'Hinckley'])
  })

  test('a choice is read from its code, the code written loosely, or its label', () => {
    const read = (s: string) => convertChoice(s, MEMBER_ROLE_LABELS, 'a member role')
    assert.deepEqual(read('core_member'), { value: 'core_member' })
    assert.deepEqual(read('Core Member'), { value: 'core_member' })
    assert.deepEqual(read('core-member'), { value: 'core_member' })
    assert.deepEqual(read('Professional enabler'), { value: 'enabler' })
    assert.deepEqual(read('boss'), { problem: '"boss" is not a member role: use one of principal, core_member, associate, enabler, mule' })
  })

  test('yes and no, and record ids', () => {
    assert.deepEqual(convertBoolean('Yes'), { value: true })
    assert.deepEqual(convertBoolean('0'), { value: false })
    assert.match((convertBoolean('maybe') as { problem: string }).problem, /yes or no/)
    assert.deepEqual(convertId(` ${PERSON_A.toUpperCase()} `), { value: PERSON_A })
    assert.match((convertId('Bob Smith') as { problem: string }).problem, /not an Achilles id/)
  })

  test('a combined grade is split when it is 3x5x2 and kept as written when it is 5x5x5', () => {
    assert.deepEqual(splitGrade('B2P'), { value: { system: '3x5x2', sourceEvaluation: 'B', intelligenceAssessment: '2', handlingCode: 'P' } })
    assert.deepEqual(splitGrade('a/5/c'), { value: { system: '3x5x2', sourceEvaluation: 'A', intelligenceAssessment: '5', handlingCode: 'C' } })
    assert.deepEqual(splitGrade('B24'), { value: { system: '5x5x5', legacyGrade: 'B24' } })
    assert.deepEqual(splitGrade(' e/4/5 '), { value: { system: '5x5x5', legacyGrade: 'e/4/5' } })
    assert.match((splitGrade('D2P') as { problem: string }).problem, /is not a grade/)
    assert.match((splitGrade('B6P') as { problem: string }).problem, /is not a grade/)
  })

  test('headings compare without case, spaces or punctuation', () => {
    assert.equal(normaliseHeading('Date of Birth'), 'dateofbirth')
    assert.equal(normaliseHeading('date_of_birth'), 'dateofbirth')
    assert.equal(normaliseHeading(' Réf. '), 'ref')
  })
})

describe('the column mapping', () => {
  test('suggestions come from headings: Full Name, full_name and NAME all mean the full name; DOB the date of birth', () => {
    for (const heading of ['Full Name', 'full_name', 'NAME']) {
      assert.deepEqual(suggestMapping(IMPORT_DEFINITIONS.people, [heading, 'DOB']), { fullName: col(heading), birthDate: col('DOB') })
    }
    assert.deepEqual(suggestMapping(IMPORT_DEFINITIONS.people, ['Date of birth']).birthDate, col('Date of birth'))
  })

  test('a Grade column is suggested as the combined grade; a heading is suggested for one field only', () => {
    const m = suggestMapping(IMPORT_DEFINITIONS.intelligence, ['Grade', 'Handling', 'Handling code'])
    assert.deepEqual(m.grade, col('Grade'))
    // "Handling code" is the handling code's own label, so it wins over the alias "Handling".
    assert.deepEqual(m.handlingCode, col('Handling code'))
    assert.equal(Object.values(m).filter((e) => e.column === 'Handling').length, 0)
  })

  test('before any row is read: unknown targets, missing columns, required fields not given and columns not accounted for', () => {
    const plan: ImportPlan = {
      mapping: { name: col('Name'), colour: col('Colour'), status: col('State'), threatAreas: val('drugs') },
      ignoredColumns: ['Nothing'],
    }
    const { faults } = checkPlan(IMPORT_DEFINITIONS.groups, ['Name', 'Colour', 'Notes'], plan, AGENCIES)
    assert.deepEqual(
      faults.map((f) => [f.field, f.column]),
      [
        ['colour', 'Colour'],
        ['status', 'State'],
        ['purpose', null],
        ['reviewDate', null],
        ['protectiveMarking', null],
        ['handlingCode', null],
        ['sharingScope', null],
        [null, 'Nothing'],
        [null, 'Notes'],
      ],
    )
    assert.match(faults[0]!.message, /"colour" is not a field of an import of groups/)
    assert.match(faults[2]!.message, /Purpose must be given/)
    assert.match(faults[8]!.message, /Column "Notes" is not mapped/)
  })

  test('a value for the whole file is read like a cell, and a bad one is reported once', () => {
    const { faults, fixed } = checkPlan(IMPORT_DEFINITIONS.memberships, ['Group', 'Person'], {
      mapping: { groupId: col('Group'), personId: col('Person'), role: val('Core member'), startDate: val('31/02/2024') },
      ignoredColumns: [],
    }, AGENCIES)
    assert.deepEqual(fixed.get('role'), { role: 'core_member' })
    assert.equal(faults.length, 1)
    assert.match(faults[0]!.message, /^Start date \(the value for the whole file\): "31\/02\/2024" is not a real date/)
  })

  test('intelligence needs a grade, given one way or another', () => {
    const base: Mapping = { body: col('Text'), reportedOn: col('Date'), sourceAgencyId: val('HMRC'), purpose: val('p'), reviewDate: val('2027-01-01'), protectiveMarking: val('OFFICIAL') }
    const missing = checkPlan(IMPORT_DEFINITIONS.intelligence, ['Text', 'Date'], { mapping: base, ignoredColumns: [] }, AGENCIES)
    assert.deepEqual(missing.faults.map((f) => f.message), [IMPORT_DEFINITIONS.intelligence.alternatives![0]!.message])
    const parts = checkPlan(IMPORT_DEFINITIONS.intelligence, ['Text', 'Date', 'S', 'I', 'H'], {
      mapping: { ...base, sourceEvaluation: col('S'), intelligenceAssessment: col('I'), handlingCode: col('H') },
      ignoredColumns: [],
    }, AGENCIES)
    assert.deepEqual(parts.faults, [])
  })
})

// A stand-in for a module's parse function: required name, a real date, and a rule across fields.
function parsePerson(input: Record<string, unknown>): FieldIssue[] {
  const issues: FieldIssue[] = []
  if (typeof input.fullName !== 'string') issues.push({ field: 'fullName', message: 'Enter the person’s full name' })
  if (input.personRole === 'victim' && input.sharingScope === 'partnership') issues.push({ field: 'sharingScope', message: 'A victim is not shared with the whole partnership' })
  if (Array.isArray(input.aliases) && input.aliases.length > 2) issues.push({ field: 'aliases.2', message: 'At most two aliases' })
  return issues
}

function check(kind: keyof typeof IMPORT_DEFINITIONS, csv: string, plan: ImportPlan, parse: (input: Record<string, unknown>) => FieldIssue[]) {
  const t = table(csv)
  const prepared = prepareFile(IMPORT_DEFINITIONS[kind], t, plan, AGENCIES)
  if (!prepared.ok) return { report: prepared.report, rows: [] as PreparedRow[] }
  const faults = prepared.rows.flatMap((r) => [...r.faults, ...r.faultsFrom(parse(r.input))])
  faults.push(...duplicateFaults(IMPORT_DEFINITIONS[kind], prepared.rows, plan))
  return { report: reportOf(t.rows.length, faults, t.headers), rows: prepared.rows }
}

describe('rows', () => {
  const peoplePlan: ImportPlan = {
    mapping: {
      fullName: col('Full Name'), birthDate: col('DOB'), aliases: col('AKA'), personRole: col('Type'), sharingScope: col('Sharing'),
      purpose: val('Mapping county lines in Leicester'), reviewDate: val('2027-11-23'), protectiveMarking: val('OFFICIAL'), handlingCode: val('P'),
    },
    ignoredColumns: ['Shoe size'],
  }
  const csv = [
    'Full Name,DOB,AKA,Type,Sharing,Shoe size',
    'Dean Carver,14/05/1990,Deano;DC,suspect,agency,9',
    'Kelly Marsh,31/02/1988,,victim,agency,5',
    'Paul Rigby,1985-07-19,,Suspect,everyone,10',
    ',2001-01-01,,suspect,agency,',
    'Amy Law,,a;b;c,victim,partnership,',
  ].join('\r\n')

  test('each row becomes the input the module reads: dates converted, lists split, choices read, the values for the whole file filled in', () => {
    const { rows } = check('people', csv, peoplePlan, parsePerson)
    assert.deepEqual(rows[0]!.input, {
      fullName: 'Dean Carver', birthDate: '1990-05-14', aliases: ['Deano', 'DC'], personRole: 'suspect', sharingScope: 'agency',
      purpose: 'Mapping county lines in Leicester', reviewDate: '2027-11-23', protectiveMarking: 'OFFICIAL', handlingCode: 'P',
    })
    assert.equal(rows[1]!.input.birthDate, undefined, 'an unreadable date is not passed on')
  })

  test('every faulty row is listed with its row number in the file and the CSV column at fault', () => {
    const { report } = check('people', csv, peoplePlan, parsePerson)
    assert.deepEqual(report, {
      rows: 5,
      valid: 1,
      faults: [
        { row: 3, column: 'DOB', field: 'birthDate', message: '"31/02/1988" is not a real date' },
        { row: 4, column: 'Sharing', field: 'sharingScope', message: '"everyone" is not a sharing scope: use one of agency, named, partnership' },
        { row: 5, column: 'Full Name', field: 'fullName', message: 'Enter the person’s full name' },
        { row: 6, column: 'AKA', field: 'aliases', message: 'At most two aliases' },
        { row: 6, column: 'Sharing', field: 'sharingScope', message: 'A victim is not shared with the whole partnership' },
      ],
    })
  })

  test('a problem with a value given for the whole file is reported once, not on every row', () => {
    const plan: ImportPlan = { ...peoplePlan, mapping: { ...peoplePlan.mapping, handlingCode: val('C') } }
    const parse = (input: Record<string, unknown>) => (input.handlingCode === 'C' && !input.handlingConditions ? [{ field: 'handlingConditions', message: 'Enter the handling conditions' }] : [])
    const rows = 'Full Name,DOB,AKA,Type,Sharing,Shoe size\nA,,,suspect,agency,\nB,,,suspect,agency,\n'
    const { report } = check('people', rows, plan, parse)
    // The conditions are missing on each row (no column gives them), so each row is at fault.
    assert.deepEqual(report.faults, [
      { row: 2, column: null, field: 'handlingConditions', message: 'Enter the handling conditions' },
      { row: 3, column: null, field: 'handlingConditions', message: 'Enter the handling conditions' },
    ])
    const fixedIssue = (input: Record<string, unknown>) => (input.handlingCode === 'C' ? [{ field: 'handlingCode', message: 'C is not allowed here' }] : [])
    const once = check('people', rows, plan, fixedIssue).report
    assert.deepEqual(once.faults, [{ row: null, column: null, field: 'handlingCode', message: 'Handling code (the value for the whole file): C is not allowed here' }])
    assert.equal(once.valid, 0)
  })

  test('a value for the whole file fills only the rows where its column is blank', () => {
    const plan: ImportPlan = { ...peoplePlan, mapping: { ...peoplePlan.mapping, sharingScope: { column: 'Sharing', value: 'agency' } } }
    const { rows } = check('people', 'Full Name,DOB,AKA,Type,Sharing,Shoe size\nA,,,suspect,,\nB,,,suspect,named,\n', plan, () => [])
    assert.deepEqual(rows.map((r) => r.input.sharingScope), ['agency', 'named'])
  })

  test('identifier columns each add to the person’s list, and a module issue on one item points at its own column', () => {
    const plan: ImportPlan = { ...peoplePlan, mapping: { ...peoplePlan.mapping, pncNumber: col('PNC'), nationalInsuranceNumber: col('NI') }, ignoredColumns: ['Shoe size'] }
    const parse = (input: Record<string, unknown>) => ((input.identifiers as Array<{ value: string }>)[1]?.value === 'XX' ? [{ field: 'identifiers.1.value', message: 'Enter a National Insurance number like QQ 12 34 56 C' }] : [])
    const { report, rows } = check('people', 'Full Name,DOB,AKA,Type,Sharing,Shoe size,PNC,NI\nA,,,suspect,agency,,12/345678A,XX\nB,,,suspect,agency,,,QQ123456C\n', plan, parse)
    assert.deepEqual(rows[0]!.input.identifiers, [{ type: 'pnc', value: '12/345678A' }, { type: 'ni_number', value: 'XX' }])
    assert.deepEqual(rows[1]!.input.identifiers, [{ type: 'ni_number', value: 'QQ123456C' }])
    assert.deepEqual(report.faults, [{ row: 2, column: 'NI', field: 'nationalInsuranceNumber', message: 'Enter a National Insurance number like QQ 12 34 56 C' }])
  })

  test('a value beyond the last heading is reported rather than dropped', () => {
    const { report } = check('people', 'Full Name,DOB,AKA,Type,Sharing,Shoe size\nA,,,suspect,agency,,oops\n', peoplePlan, () => [])
    assert.match(report.faults[0]!.message, /column G, beyond the last column with a heading/)
  })

  test('a combined 3x5x2 grade is split, a 5x5x5 grade kept as entered, and a grade given twice differently is a fault', () => {
    const plan: ImportPlan = {
      mapping: {
        body: col('Log'), reportedOn: col('Date'), sourceAgencyId: col('Source'), grade: col('Grade'), handlingCode: col('HC'), handlingConditions: col('Conditions'),
        mentionedEntityIds: col('People'), purpose: val('p'), reviewDate: val('2027-01-01'), protectiveMarking: val('OFFICIAL'), sharingScope: val('agency'),
      },
      ignoredColumns: [],
    }
    const file = [
      'Log,Date,Source,Grade,HC,Conditions,People',
      `Seen at the car wash,07/03/2024,HMRC,B2P,,,${PERSON_A};${PERSON_B}`,
      'Old log,2009-01-02,LP,b/2/4,,,',
      'Clash,2024-01-01,Leicestershire Police,B2P,C,Only police,',
      'Unknown agency,2024-01-01,Trading Standards,B2P,,,not-an-id',
    ].join('\n')
    const { report, rows } = check('intelligence', file, plan, () => [])
    assert.deepEqual(rows[0]!.input, {
      body: 'Seen at the car wash', reportedOn: '2024-03-07', sourceAgencyId: AGENCIES[1]!.id, sourceEvaluation: 'B', intelligenceAssessment: '2', handlingCode: 'P',
      mentionedEntityIds: [PERSON_A, PERSON_B], purpose: 'p', reviewDate: '2027-01-01', protectiveMarking: 'OFFICIAL', sharingScope: 'agency',
    })
    assert.equal(rows[1]!.input.legacyGrade, 'b/2/4')
    assert.equal(rows[1]!.input.sourceAgencyId, AGENCIES[0]!.id)
    assert.deepEqual(report.faults.map((f) => [f.row, f.column]), [[4, 'HC'], [5, 'Source'], [5, 'People']])
    assert.match(report.faults[0]!.message, /"HC" and "Grade" both give handlingCode/)
    assert.match(report.faults[1]!.message, /No agency in the partnership is called "Trading Standards"/)
  })

  test('a module issue on a part of a combined grade points at the grade column', () => {
    const plan: ImportPlan = {
      mapping: { body: col('Log'), reportedOn: col('Date'), sourceAgencyId: val('HMRC'), grade: col('Grade'), purpose: val('p'), reviewDate: val('2027-01-01'), protectiveMarking: val('OFFICIAL'), sharingScope: val('agency') },
      ignoredColumns: [],
    }
    const parse = (input: Record<string, unknown>) => (input.handlingCode === 'C' && !input.handlingConditions ? [{ field: 'handlingConditions', message: 'Enter the handling conditions' }, { field: 'handlingCode', message: 'x' }] : [])
    const { report } = check('intelligence', 'Log,Date,Grade\nA,2024-01-01,B2C\n', plan, parse)
    assert.deepEqual(report.faults, [
      { row: 2, column: null, field: 'handlingConditions', message: 'Enter the handling conditions' },
      { row: 2, column: 'Grade', field: 'grade', message: 'x' },
    ])
  })

  test('the same person added to the same group twice in one file is a fault on the later row, naming the earlier', () => {
    const plan: ImportPlan = { mapping: { groupId: col('Group'), personId: col('Person'), role: col('Role') }, ignoredColumns: [] }
    const file = `Group,Person,Role\n${GROUP},${PERSON_A},principal\n${GROUP},${PERSON_B},mule\n${GROUP},${PERSON_A.toUpperCase()},associate\n`
    const { report } = check('memberships', file, plan, () => [])
    assert.deepEqual(report.faults, [{ row: 4, column: 'Person', field: 'personId', message: 'Row 2 already adds this person to this group: a person is a member of a group once' }])
    assert.equal(report.valid, 2)
  })

  test('a plan that does not hold reads no row', () => {
    const { report, rows } = check('memberships', `Group,Person\n${GROUP},${PERSON_A}\n`, { mapping: { groupId: col('Group'), personId: col('Person') }, ignoredColumns: [] }, () => {
      throw new Error('no row should be read')
    })
    assert.equal(rows.length, 0)
    assert.deepEqual(report, { rows: 1, valid: 0, faults: [{ row: null, column: null, field: 'role', message: 'Role in the group must be given: choose the column that holds it, or enter a value for the whole file' }] })
  })
})
