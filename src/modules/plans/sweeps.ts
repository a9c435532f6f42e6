import { baseUrl, type Config } from '../../config.ts'
import type { Database } from '../../db/connection.ts'
import { sweepOverdueActions } from './service.ts'

// The nightly work of a plan, run inside the server: the sweep flags each lapse once, so running it
// hourly costs little and means an action that lapses at midnight is flagged that morning.

export const SWEEP_INTERVAL_MS = 60 * 60_000
const FIRST_SWEEP_MS = 30_000

type SweepLog = { info: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void }

export function startPlanSweeps(ctx: { db: Database; config: Config; now: () => Date; log: SweepLog }, intervalMs = SWEEP_INTERVAL_MS): { stop(): Promise<void> } {
  let running: Promise<void> | null = null
  const run = () => {
    running ??= sweepOverdueActions(ctx.db, ctx.now(), { baseUrl: baseUrl(ctx.config) })
      .then((r) => { if (r.flagged > 0) ctx.log.info(r, 'flagged overdue 4P actions') })
      .catch((error: unknown) => ctx.log.error({ err: error }, 'the overdue-actions sweep failed; it runs again within the hour'))
      .finally(() => { running = null })
  }
  const first = setTimeout(run, FIRST_SWEEP_MS)
  const timer = setInterval(run, intervalMs)
  first.unref()
  timer.unref()
  return {
    async stop() {
      clearTimeout(first)
      clearInterval(timer)
      await running
    },
  }
}
