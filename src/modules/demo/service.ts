import type { CrimePicture, SeedEntity, SeedHandling, SeedIntelligence } from '../../core/demo/crime.ts'
import type { Partnership } from '../../core/demo/partnership.ts'
import type { Database } from '../../db/connection.ts'
import { asSystem } from '../../db/context.ts'
import { countAgencies, insertAgencies, insertContacts } from '../agencies/service.ts'
import { recordAudit } from '../audit/service.ts'
import { insertEntities, insertLinks, parseEntityInput, parseLinkInput } from '../entities/service.ts'
import { insertGroups, insertHoldings, insertMembers, parseGroupInput, parseMemberInput } from '../groups/service.ts'
import { insertIntelligence } from '../intelligence/service.ts'
import { insertNotes } from '../notes/service.ts'
import { insertUsers } from '../users/service.ts'

export type LoadFigures = { agencies: number; contacts: number; users: number; notes: number; shares: number }

export function isEmpty(db: Database): Promise<boolean> {
  return asSystem(db, async (tx) => (await countAgencies(tx)) === 0)
}

/** Loads a generated partnership in one transaction: all of it, or nothing. */
export async function loadPartnership(db: Database, p: Partnership, password: string): Promise<LoadFigures> {
  const figures: LoadFigures = {
    agencies: p.agencies.length,
    contacts: p.contacts.length,
    users: p.users.length,
    notes: p.notes.length,
    shares: p.notes.reduce((n, note) => n + note.sharedWithAgencyIds.length, 0),
  }
  await asSystem(db, async (tx) => {
    await insertAgencies(tx, p.agencies)
    await insertContacts(tx, p.contacts)
    await insertUsers(tx, p.users, password)
    await insertNotes(tx, p.notes)
    await recordAudit(tx, 'system', { action: 'collection', recordType: 'demonstration_data', purpose: 'Loading invented demonstration data', detail: { ...figures } })
  })
  return figures
}

export type CrimeFigures = { entities: number; links: number; groups: number; members: number; holdings: number; intelligence: number; assessments: number }

/**
 * Loads an invented crime picture through the same validation a user's input meets, so demo data
 * never holds what the forms would refuse. Intelligence arrives in batches, each its own
 * transaction, so a million records need not fit in one.
 */
export async function loadCrimePicture(
  db: Database,
  picture: CrimePicture,
  intelligence: Iterable<SeedIntelligence[]>,
  onProgress: (done: number) => void = () => {},
): Promise<Omit<CrimeFigures, 'assessments'>> {
  const handling = (h: SeedHandling) => ({
    purpose: h.purpose, reviewDate: h.reviewDate, protectiveMarking: h.protectiveMarking, handlingCode: h.handlingCode,
    handlingConditions: h.handlingConditions, sharingScope: h.sharingScope, sharedWithAgencyIds: h.sharedWithAgencyIds,
  })
  const bodyOf = (e: SeedEntity): Record<string, unknown> => {
    switch (e.schema) {
      case 'Person': return { ...e.person }
      case 'Company': return { ...e.business, aliases: [] }
      case 'Address': return { ...e.address }
      case 'Vehicle': return { ...e.vehicle }
      case 'Phone': return { ...e.phone }
      case 'BankAccount': return { ...e.account }
    }
  }
  const entities = picture.entities.map((e) => ({
    ...parseEntityInput({ schema: e.schema, ...bodyOf(e), ...handling(e) }),
    id: e.id, owningAgencyId: e.owningAgencyId, createdBy: e.createdBy, createdAt: e.createdAt,
  }))
  const links = picture.links.map((l) => ({
    ...parseLinkInput({
      subjectId: l.subjectId, objectId: l.objectId, linkType: l.linkType, relationship: l.relationship, startDate: l.startDate, endDate: l.endDate,
      sourceReference: l.sourceReference, protectiveMarking: l.protectiveMarking, handlingCode: l.handlingCode, handlingConditions: l.handlingConditions,
      sharingScope: l.sharingScope, sharedWithAgencyIds: l.sharedWithAgencyIds,
    }),
    id: l.id, owningAgencyId: l.owningAgencyId, createdBy: l.createdBy,
  }))
  const groups = picture.groups.map((g) => ({
    ...parseGroupInput({
      name: g.name, operationName: g.operationName, status: g.status, threatAreas: g.threatAreas, areas: g.areas, crossBorder: g.crossBorder,
      summary: g.summary, leadResponsibleOfficerId: g.leadResponsibleOfficerId, ...handling(g),
    }),
    id: g.id, owningAgencyId: g.owningAgencyId, createdBy: g.createdBy,
  }))
  const creatorOf = new Map(picture.groups.map((g) => [g.id, g.createdBy]))
  const members = picture.members.map(({ groupId, ...m }) => ({ ...parseMemberInput(m), groupId, createdBy: creatorOf.get(groupId) ?? null }))
  const holdings = picture.holdings.map((h) => ({ entityId: h.entityId, kind: h.kind, startDate: h.startDate, endDate: null, notes: null, groupId: h.groupId, createdBy: creatorOf.get(h.groupId) ?? null }))
  await asSystem(db, async (tx) => {
    await insertEntities(tx, entities)
    await insertLinks(tx, links)
    await insertGroups(tx, groups)
    await insertMembers(tx, members)
    await insertHoldings(tx, holdings)
  })
  let loaded = 0
  for (const batch of intelligence) {
    await asSystem(db, (tx) => insertIntelligence(tx, batch.map((r) => ({
      id: r.id, body: r.body, reportedOn: r.reportedOn, reference: r.reference, sourceAgencyId: r.sourceAgencyId,
      sourceEvaluation: r.sourceEvaluation, intelligenceAssessment: r.intelligenceAssessment, legacyGrade: null,
      mentionedEntityIds: r.mentionedEntityIds, mentionedGroupIds: r.mentionedGroupIds, ...handling(r),
      owningAgencyId: r.owningAgencyId, createdBy: r.createdBy,
    }))))
    loaded += batch.length
    onProgress(loaded)
  }
  const figures = { entities: entities.length, links: links.length, groups: groups.length, members: members.length, holdings: holdings.length, intelligence: loaded }
  await asSystem(db, (tx) => recordAudit(tx, 'system', { action: 'collection', recordType: 'demonstration_data', purpose: 'Loading an invented crime picture', detail: { ...figures } }))
  return figures
}
