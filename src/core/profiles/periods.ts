// A profile's period is a run of whole months ("2020-01" to "2020-12"), as police open data is
// published by month. Its trends compare it with the run of the same length just before, and with
// the same months a year earlier.

const MONTH = /^(\d{4})-(0[1-9]|1[0-2])$/

export function isMonth(text: string): boolean {
  return MONTH.test(text)
}

const index = (month: string) => {
  const m = MONTH.exec(month)
  if (!m) throw new Error(`Not a month in the form YYYY-MM: ${JSON.stringify(month)}`)
  return Number(m[1]) * 12 + Number(m[2]) - 1
}
const monthAt = (i: number) => `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`

/** Every month from one to another, both included. */
export function monthsBetween(from: string, to: string): string[] {
  const out: string[] = []
  for (let i = index(from); i <= index(to); i++) out.push(monthAt(i))
  return out
}

export function shiftMonth(month: string, by: number): string {
  return monthAt(index(month) + by)
}

/** The period of the same length ending the month before this one starts. */
export function previousPeriod(from: string, to: string): { from: string; to: string } {
  const length = index(to) - index(from) + 1
  return { from: shiftMonth(from, -length), to: shiftMonth(from, -1) }
}

/** The same months a year earlier. */
export function lastYearPeriod(from: string, to: string): { from: string; to: string } {
  return { from: shiftMonth(from, -12), to: shiftMonth(to, -12) }
}
