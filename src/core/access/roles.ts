// Roles are what an administrator assigns; capabilities are what code checks. A role name never
// appears in a permission check, so a partnership can reshape roles without touching the checks.

export const ROLES = [
  'administrator',
  'analyst',
  'lead_responsible_officer',
  'partner_officer',
  'gain_coordinator',
  'board_member',
  'safeguarding_practitioner',
  'councillor',
] as const
export type Role = (typeof ROLES)[number]

export const ROLE_LABELS: Record<Role, string> = {
  administrator: 'Administrator',
  analyst: 'Analyst',
  lead_responsible_officer: 'Lead Responsible Officer',
  partner_officer: 'Partner officer',
  gain_coordinator: 'GAIN coordinator',
  board_member: 'Board member',
  safeguarding_practitioner: 'Safeguarding practitioner',
  councillor: 'Councillor (aggregate figures only)',
}

export const CAPABILITIES = [
  'dashboard.aggregate', // counts with no personal data
  'agencies.read',
  'agencies.manage',
  'users.read',
  'users.manage',
  'audit.read',
  'records.read',
  'records.read_sensitive', // OFFICIAL-SENSITIVE is need-to-know
  'records.write',
  'records.share', // disclose to named agencies or grant access
  'records.erase',
  'prioritisation.manage', // publish prioritisation model versions
  'tokens.own',
] as const
export type Capability = (typeof CAPABILITIES)[number]

const ROLE_CAPABILITIES: Record<Role, readonly Capability[]> = {
  // The administrator runs the directory and the log; seeing personal records needs another role.
  administrator: ['dashboard.aggregate', 'agencies.read', 'agencies.manage', 'users.read', 'users.manage', 'audit.read', 'prioritisation.manage', 'tokens.own'],
  analyst: ['dashboard.aggregate', 'agencies.read', 'records.read', 'records.read_sensitive', 'records.write', 'records.share', 'records.erase', 'tokens.own'],
  lead_responsible_officer: ['dashboard.aggregate', 'agencies.read', 'records.read', 'records.read_sensitive', 'records.write', 'records.share', 'records.erase', 'tokens.own'],
  partner_officer: ['dashboard.aggregate', 'agencies.read', 'records.read', 'records.write', 'records.share', 'tokens.own'],
  gain_coordinator: ['dashboard.aggregate', 'agencies.read', 'users.read', 'records.read', 'records.read_sensitive', 'records.write', 'records.share', 'tokens.own'],
  board_member: ['dashboard.aggregate', 'agencies.read'],
  safeguarding_practitioner: ['dashboard.aggregate', 'agencies.read', 'records.read', 'records.read_sensitive', 'records.write', 'records.share', 'tokens.own'],
  // Councillors see aggregate figures only, never personal data (domain.md, "Who uses the system").
  councillor: ['dashboard.aggregate', 'agencies.read'],
}

export function capabilitiesOf(roles: readonly Role[]): Capability[] {
  const granted = new Set<Capability>()
  for (const role of roles) for (const c of ROLE_CAPABILITIES[role]) granted.add(c)
  return CAPABILITIES.filter((c) => granted.has(c))
}

export function isRole(value: string): value is Role {
  return (ROLES as readonly string[]).includes(value)
}

// API tokens carry scopes; a token may do what both its scopes and its user's roles allow.
export const TOKEN_SCOPES = ['agencies:read', 'agencies:write', 'users:read', 'users:write', 'records:read', 'records:write', 'audit:read', 'prioritisation:write'] as const
export type TokenScope = (typeof TOKEN_SCOPES)[number]

const SCOPE_CAPABILITIES: Record<TokenScope, readonly Capability[]> = {
  'agencies:read': ['agencies.read', 'dashboard.aggregate'],
  'agencies:write': ['agencies.read', 'agencies.manage'],
  'users:read': ['users.read'],
  'users:write': ['users.read', 'users.manage'],
  'records:read': ['records.read', 'records.read_sensitive'],
  'records:write': ['records.read', 'records.read_sensitive', 'records.write', 'records.share', 'records.erase'],
  'audit:read': ['audit.read'],
  'prioritisation:write': ['prioritisation.manage'],
}

export function capabilitiesOfToken(roles: readonly Role[], scopes: readonly TokenScope[]): Capability[] {
  const allowed = new Set(scopes.flatMap((s) => SCOPE_CAPABILITIES[s]))
  return capabilitiesOf(roles).filter((c) => allowed.has(c))
}

export function isTokenScope(value: string): value is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(value)
}
