import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { columnIndexes, mappedValues, parseFieldMap } from '../../src/core/matching/fieldMap.ts'
import { PERSON_FIELDS } from '../../src/core/matching/record.ts'

describe('reading a field mapping', () => {
  test('maps each canonical field to its columns, joining columns with "+" in the order given', () => {
    const reading = parseFieldMap('given_name=Forename, family_name = Surname,address=House+Street + Town')
    assert.deepEqual(reading.problems, [])
    assert.deepEqual([...reading.map!], [
      ['given_name', ['Forename']],
      ['family_name', ['Surname']],
      ['address', ['House', 'Street', 'Town']],
    ])
  })

  test('lists every unknown canonical field at once, with the fields there are', () => {
    const reading = parseFieldMap('forename=First,given_name=First,dob=Born', PERSON_FIELDS)
    assert.equal(reading.map, null)
    assert.equal(reading.problems.length, 1)
    assert.match(reading.problems[0]!, /These are not canonical fields: "forename", "dob"\. The fields are: full_name, given_name, family_name, birth_date/)
  })

  test('names empty parts, parts without "=", empty column names and a field mapped twice', () => {
    const reading = parseFieldMap('given_name=First,,surname,family_name=,postcode=Post+,town=A,town=B')
    assert.equal(reading.map, null)
    assert.deepEqual(reading.problems, [
      'Part 2 is empty: remove the extra comma',
      'Part 3 ("surname") has no "=": write it as canonical=column, for example given_name=Forename',
      'Part 4 maps family_name to no column: write the column\'s heading after the "="',
      'Part 5 (postcode) has an empty column name: remove the extra "+"',
      'town is mapped twice: join its columns with "+" in one part instead',
    ])
  })

  test('refuses an empty mapping with an example', () => {
    assert.match(parseFieldMap('  ').problems[0]!, /The mapping is empty: write it as canonical=column\[\+column\]/)
  })

  test('finds columns exactly or ignoring case, and names those a file lacks with the columns it has', () => {
    const { map } = parseFieldMap('given_name=forename,family_name=Surname,address=House+Road')
    const found = columnIndexes(map!, ['Id', 'Forename', 'Surname', 'House'])
    assert.deepEqual(found.problems, ['The file has no column "Road" (for address). Its columns are: "Id", "Forename", "Surname", "House"'])
    const ok = columnIndexes(parseFieldMap('given_name=forename,address=House+Street').map!, ['Id', 'Forename', 'House', 'Street'])
    assert.deepEqual(ok.problems, [])
    assert.deepEqual(mappedValues(['7', ' Ann ', '12', ''], ok.indexes), { given_name: 'Ann', address: '12' })
    assert.deepEqual(mappedValues(['7', '', '', ''], ok.indexes), {})
  })
})
