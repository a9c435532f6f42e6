import path from 'node:path'

// Kept apart from the profile command so main.ts can make --out absolute without loading the
// document libraries: on the embedded database the command runs inside the server, whose working
// directory need not be the user's.

/** `profile … --out FILE` with FILE made absolute against cwd; other commands as they are. */
export function withAbsoluteOut(argv: readonly string[], cwd: string): string[] {
  if (argv[0] !== 'profile') return [...argv]
  return argv.map((arg, i) => {
    if (i > 0 && argv[i - 1] === '--out') return path.resolve(cwd, arg)
    if (arg.startsWith('--out=')) return `--out=${path.resolve(cwd, arg.slice('--out='.length))}`
    return arg
  })
}

export const PROFILE_USAGE =
  'achilles profile --area CODE --from YYYY-MM --to YYYY-MM --format json|html|docx|pdf --out FILE [--slice key=Label:Type|Type]... [--title TEXT]'
