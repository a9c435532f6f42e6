import pg from 'pg'

/**
 * A value written as an SQL literal, for the few statements sent without parameters (those queued
 * with a COMMIT go in one simple-protocol message, which cannot carry any). node-postgres's
 * escaping doubles quotes and, when there is a backslash, writes an E'' string; PGlite parses
 * the same SQL.
 */
export function sqlLiteral(value: string | null): string {
  return value === null ? 'NULL' : pg.escapeLiteral(value)
}

/** A text array as an SQL literal. */
export function sqlTextArray(values: readonly string[]): string {
  return `ARRAY[${values.map(sqlLiteral).join(', ')}]::text[]`
}
