import type { Config } from '../config.ts'
import type { Database } from '../db/connection.ts'

/** What every route and service is built with. `now` is injectable so expiry can be tested. */
export type AppContext = {
  db: Database
  config: Config
  now: () => Date
  cookieSecret: string
}
