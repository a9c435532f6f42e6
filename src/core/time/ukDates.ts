// Dates as the United Kingdom reads them. Calendar dates (review dates, dates reported, membership
// dates) are UK dates: a review date of 3 November is reached at midnight in London, whether that
// is 00:00 GMT or 23:00 BST the day before.
//
// The formatters are made once: `toLocaleDateString` with options builds a new Intl.DateTimeFormat
// on every call, which was the largest single cost of rendering a priority board (measured:
// 13% of the server's CPU under load, bench/README.md).

const UK = 'Europe/London'

const isoDayParts = new Intl.DateTimeFormat('en-GB', { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: UK })
const longDateUk = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: UK })
const longDateTimeUk = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: UK })
const longDateUtc = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' })
const clockUk = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', timeZone: UK })

// A page asks for today's date once per row with the same instant; formatToParts is slow enough
// for that to show, so the last answer is kept.
let lastDay = { time: NaN, day: '' }

/** The calendar date in the United Kingdom at an instant, as YYYY-MM-DD. */
export function ukDay(at: Date): string {
  const time = at.getTime()
  if (time === lastDay.time) return lastDay.day
  let year = ''
  let month = ''
  let day = ''
  for (const p of isoDayParts.formatToParts(at)) {
    if (p.type === 'year') year = p.value
    else if (p.type === 'month') month = p.value
    else if (p.type === 'day') day = p.value
  }
  lastDay = { time, day: `${year}-${month}-${day}` }
  return lastDay.day
}

/** An instant as "3 November 2026" in the UK. */
export function longUkDate(at: Date): string {
  return longDateUk.format(at)
}

/** An instant as "3 November 2026 at 14:05" in the UK. */
export function longUkDateTime(at: Date): string {
  return longDateTimeUk.format(at)
}

/** An instant's UK time of day, "14:05". */
export function ukClock(at: Date): string {
  return clockUk.format(at)
}

/** A YYYY-MM-DD calendar date as "3 November 2026", without moving it across a time zone. */
export function longCalendarDate(day: string): string {
  return longDateUtc.format(new Date(`${day}T00:00:00Z`))
}

const wallClockUk = new Intl.DateTimeFormat('en-GB', { year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: UK })

/** How far UK clock time is ahead of UTC at an instant, in milliseconds (0 in winter, 1 hour in summer). */
function ukOffsetMs(at: number): number {
  const p = Object.fromEntries(wallClockUk.formatToParts(new Date(at)).map((x) => [x.type, x.value]))
  return Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute)) - Math.floor(at / 60_000) * 60_000
}

/**
 * The instant a UK date and clock time names ("2027-03-01", "18:00"): an order served at six in the
 * evening in Leicester is 18:00 BST in summer, 17:00 UTC. A time the clocks skip is read as after them.
 */
export function ukInstant(day: string, time = '00:00'): Date {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number]
  const [h, mi] = time.split(':').map(Number) as [number, number]
  const wall = Date.UTC(y, m - 1, d, h, mi)
  const first = wall - ukOffsetMs(wall)
  return new Date(wall - ukOffsetMs(first))
}
