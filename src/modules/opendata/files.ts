import fs from 'node:fs'
import path from 'node:path'
import zlib from 'node:zlib'
import { CsvFormatError, CsvRecordSplitter, type CsvRecord } from '../../core/opendata/csvRecords.ts'

// Finding and reading the files an import is given: files named on the command line, or every
// file of the kind in the folders named (as data.police.uk's downloads unpack: a folder a month,
// each holding every force's street, outcomes and stop-and-search files).

/** A refusal of the whole import: nothing of it is kept. */
export class Refusal extends Error {
  constructor(
    message: string,
    readonly file: string | null = null,
    readonly row: number | null = null,
  ) {
    super(message)
  }
}

export type SourceFile = {
  path: string
  /** How reports name it: its name, or its path when two files have the same name. */
  label: string
  name: string
  bytes: number
  /** Named on the command line, rather than found in a folder. */
  named: boolean
}

export type SourceRule = {
  /** Endings of the files to take from a folder, in lower case ('.csv', '.csv.gz'). */
  extensions: readonly string[]
  /** When some of a folder's files match this, only those are taken ('-street.csv'). */
  preferred?: RegExp
}

/**
 * The files the paths name. A file named is always taken; a folder gives its files (and its
 * folders' files) with the rule's endings, sorted by path. A path that does not exist, or a folder
 * with no such file, refuses the import.
 */
export function listSources(paths: readonly string[], rule: SourceRule, cwd = process.cwd()): { files: SourceFile[]; skipped: string[] } {
  const files: Array<{ path: string; bytes: number; named: boolean }> = []
  const skipped: string[] = []
  for (const given of paths) {
    const full = path.resolve(cwd, given)
    let stat: fs.Stats
    try {
      stat = fs.statSync(full)
    } catch {
      throw new Refusal(`There is no file or folder ${given}`, given)
    }
    if (stat.isFile()) {
      files.push({ path: full, bytes: stat.size, named: true })
      continue
    }
    if (!stat.isDirectory()) throw new Refusal(`${given} is neither a file nor a folder`, given)
    const inFolder = walk(full).filter((f) => rule.extensions.some((e) => f.toLowerCase().endsWith(e)))
    const preferred = rule.preferred ? inFolder.filter((f) => rule.preferred!.test(path.basename(f))) : inFolder
    const taken = preferred.length > 0 ? preferred : inFolder
    for (const f of inFolder) if (!taken.includes(f)) skipped.push(path.relative(full, f))
    if (taken.length === 0) throw new Refusal(`The folder ${given} holds no ${rule.extensions.join(' or ')} file`, given)
    for (const f of taken) files.push({ path: f, bytes: fs.statSync(f).size, named: false })
  }
  const unique = [...new Map(files.map((f) => [f.path, f])).values()]
  const names = new Map<string, number>()
  for (const f of unique) names.set(path.basename(f.path), (names.get(path.basename(f.path)) ?? 0) + 1)
  return {
    files: unique.map((f) => {
      const name = path.basename(f.path)
      return { path: f.path, name, bytes: f.bytes, named: f.named, label: names.get(name)! > 1 ? path.relative(cwd, f.path) || name : name }
    }),
    skipped,
  }
}

function walk(dir: string): string[] {
  const out: string[] = []
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name)
    if (entry.isDirectory()) out.push(...walk(full))
    else if (entry.isFile() && !entry.name.startsWith('.')) out.push(full)
  }
  return out
}

/** Whether a file starts as gzip does (1f 8b), whatever its name. */
function isGzip(file: string): boolean {
  const fd = fs.openSync(file, 'r')
  try {
    const head = Buffer.alloc(2)
    return fs.readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b
  } finally {
    fs.closeSync(fd)
  }
}

/**
 * Streams a CSV file (gzip-compressed or not) as records, a chunk at a time, waiting for each
 * chunk's handling (which may be a database write) before reading on, so memory stays bounded
 * whatever the file's size. `onBytes` is told how many bytes of the file have been read.
 */
export async function streamCsv(file: SourceFile, onRecords: (records: CsvRecord[]) => void | Promise<void>, onBytes: (bytes: number) => void): Promise<void> {
  const raw = fs.createReadStream(file.path, { highWaterMark: 1 << 20 })
  let read = 0
  raw.on('data', (chunk) => {
    read += chunk.length
    onBytes(read)
  })
  const source: AsyncIterable<Buffer> = isGzip(file.path) ? raw.pipe(zlib.createGunzip({ chunkSize: 1 << 20 })) : raw
  const decoder = new TextDecoder('utf-8', { fatal: true })
  const splitter = new CsvRecordSplitter()
  const records: CsvRecord[] = []
  try {
    for await (const chunk of source) {
      let text: string
      try {
        text = decoder.decode(chunk, { stream: true })
      } catch {
        throw new Refusal(`${file.label} is not UTF-8 text. Save it as "CSV UTF-8" and import it again`, file.label)
      }
      splitter.push(text, records)
      if (records.length > 0) {
        await onRecords(records.splice(0))
      }
    }
    let tail: string
    try {
      tail = decoder.decode()
    } catch {
      throw new Refusal(`${file.label} is not UTF-8 text: it ends part-way through a character`, file.label)
    }
    if (tail !== '') splitter.push(tail, records)
    splitter.end(records)
    if (records.length > 0) await onRecords(records.splice(0))
  } catch (error) {
    if (error instanceof CsvFormatError) throw new Refusal(`${file.label}: ${error.message}`, file.label, error.row)
    if ((error as NodeJS.ErrnoException).code === 'Z_DATA_ERROR' || (error as NodeJS.ErrnoException).code === 'Z_BUF_ERROR') {
      throw new Refusal(`${file.label} starts as a gzip file does but cannot be decompressed: it is damaged or cut short`, file.label)
    }
    throw error
  } finally {
    raw.destroy()
  }
}

/** A whole JSON file (GeoJSON), or a refusal saying where it stops being JSON. */
export function readJsonFile(file: SourceFile): unknown {
  let text: string
  try {
    const bytes = fs.readFileSync(file.path)
    const body = isGzip(file.path) ? zlib.gunzipSync(bytes) : bytes
    text = new TextDecoder('utf-8', { fatal: true }).decode(body)
  } catch (error) {
    if (error instanceof TypeError) throw new Refusal(`${file.label} is not UTF-8 text`, file.label)
    throw new Refusal(`${file.label} cannot be read: ${(error as Error).message}`, file.label)
  }
  try {
    return JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text)
  } catch (error) {
    throw new Refusal(`${file.label} is not JSON: ${(error as Error).message}`, file.label)
  }
}
