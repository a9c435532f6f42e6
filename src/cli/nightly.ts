import { baseUrl, type Config } from '../config.ts'
import type { Database } from '../db/connection.ts'
import { scheduleOrders, type ScheduleReport } from '../modules/orders/service.ts'
import { sweepOverdueActions, type SweepReport } from '../modules/plans/service.ts'
import { sendReferralReminders, type ReminderReport } from '../modules/referrals/service.ts'

// The nightly work, run inside the server and by `achilles sweep`: overdue 4P actions flagged, the
// orders register's expiries, compliance checks and renewal reminders, and reminders to agencies of
// GAIN referrals due or overdue. Each step marks what it has done, so running it hourly costs little
// and an action that lapses at midnight is flagged that morning.

export const NIGHTLY_INTERVAL_MS = 60 * 60_000
const FIRST_RUN_MS = 30_000

export type NightlyReport = { actions: SweepReport; orders: ScheduleReport; referrals: ReminderReport }

export async function runNightlyWork(db: Database, config: Config, now: Date): Promise<NightlyReport> {
  const site = { baseUrl: baseUrl(config) }
  return { actions: await sweepOverdueActions(db, now, site), orders: await scheduleOrders(db, now, site), referrals: await sendReferralReminders(db, now, site) }
}

type NightlyLog = { info: (obj: object, msg: string) => void; error: (obj: object, msg: string) => void }

export function startNightlyWork(ctx: { db: Database; config: Config; now: () => Date; log: NightlyLog }, intervalMs = NIGHTLY_INTERVAL_MS): { stop(): Promise<void> } {
  let running: Promise<void> | null = null
  const run = () => {
    running ??= runNightlyWork(ctx.db, ctx.config, ctx.now())
      .then((r) => ctx.log.info(r, 'nightly work done'))
      .catch((error: unknown) => ctx.log.error({ err: error }, 'the nightly work failed; it runs again within the hour'))
      .finally(() => { running = null })
  }
  const first = setTimeout(run, FIRST_RUN_MS)
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
