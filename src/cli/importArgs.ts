import path from 'node:path'
import { parseArgs, type ParseArgsConfig } from 'node:util'

// The arguments of `achilles import`, kept apart from the command itself so that main.ts can make
// its paths absolute without loading the database drivers: while a server holds the embedded
// database the command runs inside that server, whose working directory need not be the user's.

export const IMPORT_OPTIONS = {
  force: { type: 'string' },
  level: { type: 'string' },
  'code-property': { type: 'string' },
  'name-property': { type: 'string' },
  strict: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  'list-rejected': { type: 'boolean' },
} as const satisfies ParseArgsConfig['options']

/** `import KIND PATH…` with each PATH made absolute against cwd; other commands as they are. */
export function withAbsolutePaths(argv: readonly string[], cwd: string): string[] {
  if (argv[0] !== 'import' || argv.length < 3) return [...argv]
  let tokens
  try {
    tokens = parseArgs({ args: argv.slice(2), options: IMPORT_OPTIONS, allowPositionals: true, strict: false, tokens: true }).tokens
  } catch {
    return [...argv] // the command itself reports what is wrong with its arguments
  }
  const out = argv.slice(0, 2)
  const rest = argv.slice(2)
  const positional = new Set(tokens.filter((t) => t.kind === 'positional').map((t) => t.index))
  rest.forEach((arg, i) => out.push(positional.has(i) ? path.resolve(cwd, arg) : arg))
  return out
}
