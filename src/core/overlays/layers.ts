// The overlay layers of a local profile (issue #7, point 3; seed 002's Staffordshire profile
// overlaid police data with group members, exploitation locations, vulnerable people, schools
// and care homes). Two come from Achilles's own records of organised crime groups; the others
// are points partner agencies supply (src/modules/overlays, migration 0017).

/** Layers partner agencies import as points, one CSV file a layer. */
export const PARTNER_LAYERS = ['problem_premises', 'cuckooing', 'vulnerable_victim_referral', 'prevent_referral', 'exploitation_location', 'school', 'care_home'] as const
export type PartnerLayer = (typeof PARTNER_LAYERS)[number]

/** Layers drawn from the groups register: where current members live and the premises groups use. */
export const GROUP_LAYERS = ['group_members', 'group_premises'] as const
export type GroupLayer = (typeof GROUP_LAYERS)[number]

export const OVERLAY_LAYER_KEYS = [...GROUP_LAYERS, ...PARTNER_LAYERS] as const
export type OverlayLayerKey = (typeof OVERLAY_LAYER_KEYS)[number]

export type OverlayLayerDefinition = {
  key: OverlayLayerKey
  label: string
  /** What one point is, for a sentence ("3 cuckooing addresses"). */
  noun: string
  origin: 'groups' | 'partner'
  description: string
}

export const OVERLAY_LAYERS: Record<OverlayLayerKey, OverlayLayerDefinition> = {
  group_members: {
    key: 'group_members',
    label: 'Group members',
    noun: 'members',
    origin: 'groups',
    description: 'Current members of organised crime groups that are not archived, each counted once, where they live: their own location, or else the address they occupy now',
  },
  group_premises: {
    key: 'group_premises',
    label: 'Group premises',
    noun: 'premises',
    origin: 'groups',
    description: 'Premises that organised crime groups use now, each counted once',
  },
  problem_premises: { key: 'problem_premises', label: 'Problem premises', noun: 'premises', origin: 'partner', description: 'Premises on a partner’s risk list (licensing, trading standards, nights of action)' },
  cuckooing: { key: 'cuckooing', label: 'Cuckooing addresses', noun: 'addresses', origin: 'partner', description: 'Homes of vulnerable people taken over for drug dealing' },
  vulnerable_victim_referral: { key: 'vulnerable_victim_referral', label: 'Vulnerable-victim referrals', noun: 'referrals', origin: 'partner', description: 'Referrals of vulnerable victims (fraud, cuckooing, exploitation), by where the victim lives' },
  prevent_referral: { key: 'prevent_referral', label: 'Prevent referrals', noun: 'referrals', origin: 'partner', description: 'Referrals of people at risk of being drawn into serious and organised crime, by where they live' },
  exploitation_location: { key: 'exploitation_location', label: 'Exploitation locations', noun: 'locations', origin: 'partner', description: 'Places linked to child sexual or criminal exploitation' },
  school: { key: 'school', label: 'Schools', noun: 'schools', origin: 'partner', description: 'Schools and colleges' },
  care_home: { key: 'care_home', label: 'Care homes', noun: 'care homes', origin: 'partner', description: 'Care homes and children’s homes' },
}

export function isOverlayLayerKey(value: unknown): value is OverlayLayerKey {
  return typeof value === 'string' && (OVERLAY_LAYER_KEYS as readonly string[]).includes(value)
}

export function isPartnerLayer(value: unknown): value is PartnerLayer {
  return typeof value === 'string' && (PARTNER_LAYERS as readonly string[]).includes(value)
}
