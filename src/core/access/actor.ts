import type { Capability, Role } from './roles.ts'
import type { Viewer } from './visibility.ts'

/** The person behind a request, as the services see them. */
export type Actor = Viewer & {
  email: string
  displayName: string
  agencyName: string
  roles: readonly Role[]
  via: 'session' | 'token'
  tokenId?: string
}

export function hasCapability(actor: Pick<Actor, 'capabilities'>, capability: Capability): boolean {
  return actor.capabilities.includes(capability)
}
