/**
 * A one-line progress bar on a terminal; elsewhere a line now and then, so logs stay readable.
 * `describe` words the amount done ("12.5 of 43.0 MB read") where counting it is not the point.
 */
export function progressBar(write: (text: string) => void, isTTY: boolean, label: string, total: number, describe?: (done: number, total: number) => string) {
  let lastLine = -1
  return {
    update(done: number) {
      const share = total > 0 ? Math.min(1, done / total) : 1
      if (isTTY) {
        const width = 30
        const filled = Math.round(share * width)
        write(`\r${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round(share * 100)}% ${describe ? describe(done, total) : `${done.toLocaleString('en-GB')}/${total.toLocaleString('en-GB')}`}`)
      } else {
        const tenth = Math.floor(share * 10)
        if (tenth !== lastLine) {
          lastLine = tenth
          write(`${label}: ${describe ? describe(done, total) : `${done.toLocaleString('en-GB')} of ${total.toLocaleString('en-GB')}`}\n`)
        }
      }
    },
    finish() {
      if (isTTY) write('\n')
    },
  }
}
