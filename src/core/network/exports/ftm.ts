import type { Network, NetworkEdge, NetworkNode } from '../graph.ts'
import { noticeText, type ExportMeta } from './meta.ts'

// FollowTheMoney entities as JSON lines (one entity a line), as Aleph and `ftm` read them. Nodes
// keep the schema names Achilles stores (src/core/reference/crime.ts); a group is an Organization.
// Edges become FtM's interval schemas where one fits (Family, Associate, Directorship, Ownership,
// Employment, Membership) and UnknownLink otherwise, with the link type as its role. FtM has no
// handling property, so the code and conditions go in each entity's `notes` (a node) or
// `description` (a link) and the notice in `publisher`: readers that know FtM keep both.

type FtmEntity = { id: string; schema: string; caption?: string; properties: Record<string, string[]> }

const LINK_SCHEMAS: Record<string, { schema: string; from: string; to: string }> = {
  family: { schema: 'Family', from: 'person', to: 'relative' },
  associate: { schema: 'Associate', from: 'person', to: 'associate' },
  director: { schema: 'Directorship', from: 'director', to: 'organization' },
  owner: { schema: 'Ownership', from: 'owner', to: 'asset' },
  employee: { schema: 'Employment', from: 'employee', to: 'employer' },
  member_of: { schema: 'Membership', from: 'member', to: 'organization' },
}

/** A node id (`entity:<uuid>`) as an FtM id: FtM ids are plain strings without a colon by custom. */
export const ftmId = (nodeId: string) => nodeId.replace(':', '-')

const handlingText = (code: unknown, conditions: unknown, marking: unknown) =>
  `${marking ? `${String(marking)}. ` : ''}Handling code ${code ? String(code) : 'not recorded'}${code === 'C' && conditions ? `: ${String(conditions)}` : ''}`

function nodeEntity(n: NetworkNode, notice: string): FtmEntity {
  const a = n.attributes ?? {}
  const schema = n.kind === 'Group' ? 'Organization' : n.kind === 'Node' ? 'LegalEntity' : n.kind
  const properties: Record<string, string[]> = { notes: [handlingText(a.handlingCode, a.handlingConditions, a.protectiveMarking)], publisher: [notice] }
  if (schema === 'Person' || schema === 'Company' || schema === 'Organization' || schema === 'LegalEntity') properties.name = [n.label]
  else if (schema === 'Address') properties.full = [n.label]
  else if (schema === 'Vehicle') properties.registrationNumber = [n.label]
  else if (schema === 'BankAccount') properties.accountNumber = [n.label]
  else if (schema === 'Phone') properties.number = [n.label]
  if (n.kind === 'Group') properties.topics = ['crime']
  return { id: ftmId(n.id), schema, caption: n.label, properties }
}

function edgeEntity(e: NetworkEdge, notice: string): FtmEntity {
  const known = LINK_SCHEMAS[e.type]
  const { schema, from, to } = known ?? { schema: 'UnknownLink', from: 'subject', to: 'object' }
  const properties: Record<string, string[]> = {
    [from]: [ftmId(e.source)],
    [to]: [ftmId(e.target)],
    description: [`${handlingText(e.handlingCode, e.handlingConditions, null)}${e.grading ? `. Grading ${e.grading}` : ''}. Sources: ${e.sources.map((s) => `${s.kind}:${s.id}`).join(', ')}`],
    publisher: [notice],
  }
  if (!known) properties.role = [e.type]
  if (e.from) properties.startDate = [e.from]
  if (e.to) properties.endDate = [e.to]
  return { id: ftmId(e.id).replace(/[|:]/g, '-'), schema, properties }
}

export function toFtmLines(network: Network, meta: ExportMeta): string {
  const notice = noticeText(meta)
  const lines = [...network.nodes.map((n) => JSON.stringify(nodeEntity(n, notice))), ...network.edges.map((e) => JSON.stringify(edgeEntity(e, notice)))]
  return lines.length > 0 ? `${lines.join('\n')}\n` : ''
}
