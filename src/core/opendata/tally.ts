// What an import says about the rows it did not load as they were, grouped by reason.
//
// Rejected rows are not loaded. Each is counted under its reason with its file and row number,
// every one of them, so the report can list them all: nothing is dropped unseen. Notes are about
// rows that were loaded (kept without a location, an LSOA code that no loaded area has): they are
// counted with their first rows as examples.

export type RowExample = { file: string; row: number; value: string | null }

export type ReasonSummary = {
  reason: string
  /** The column at fault, by the file's heading; null when no one column is. */
  column: string | null
  count: number
  /** The first rows with this reason, with the value at fault. */
  examples: RowExample[]
  /** About a file as a whole (its ignored columns, say): examples[0] names the file. */
  wholeFile: boolean
}

/** A rejection reason with every row it applied to, file by file. */
export type RejectionSummary = ReasonSummary & { rows: Record<string, number[]> }

const EXAMPLES = 5

type Entry = { reason: string; column: string | null; count: number; examples: RowExample[]; rows: Map<string, number[]> | null; wholeFile: boolean }

export class Tally {
  private readonly rejections = new Map<string, Entry>()
  private readonly notes = new Map<string, Entry>()
  rejected = 0

  reject(file: string, row: number, reason: string, column: string | null, value: string | null = null): void {
    this.rejected++
    const e = entry(this.rejections, reason, column, true)
    e.count++
    if (e.examples.length < EXAMPLES) e.examples.push({ file, row, value })
    const list = e.rows!.get(file)
    if (list) list.push(row)
    else e.rows!.set(file, [row])
  }

  note(file: string, row: number, reason: string, column: string | null, value: string | null = null): void {
    const e = entry(this.notes, reason, column, false)
    e.count++
    if (e.examples.length < EXAMPLES) e.examples.push({ file, row, value })
  }

  /** A note on the file as a whole (columns ignored, a name taken from the file name). */
  fileNote(file: string, reason: string): void {
    const e = entry(this.notes, `${reason}\u0000${file}`, null, false)
    e.reason = reason
    e.wholeFile = true
    e.count++
    if (e.examples.length === 0) e.examples.push({ file, row: 1, value: null })
  }

  rejectionSummary(): RejectionSummary[] {
    return [...this.rejections.values()]
      .sort((a, b) => b.count - a.count)
      .map((e) => ({ reason: e.reason, column: e.column, count: e.count, examples: e.examples, wholeFile: false, rows: Object.fromEntries(e.rows!) }))
  }

  noteSummary(): ReasonSummary[] {
    return [...this.notes.values()].map((e) => ({ reason: e.reason, column: e.column, count: e.count, examples: e.examples, wholeFile: e.wholeFile }))
  }
}

function entry(map: Map<string, Entry>, reason: string, column: string | null, keepRows: boolean): Entry {
  const key = `${reason}\u0000${column ?? ''}`
  let e = map.get(key)
  if (!e) {
    e = { reason, column, count: 0, examples: [], rows: keepRows ? new Map() : null, wholeFile: false }
    map.set(key, e)
  }
  return e
}
