import type { FieldIssue } from '../errors.ts'
import { mayUse, type Power } from '../powers/catalogue.ts'

// A 4P action: one thing one agency will do about a group or a key risk, by a date. The rules
// here are those an LRO relies on when tasking a partner: an owner who exists, a date still ahead,
// and a power that agency may actually use.

export const ACTION_STATUSES = ['open', 'in_progress', 'done', 'cancelled'] as const
export type ActionStatus = (typeof ACTION_STATUSES)[number]
export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = {
  open: 'Not started',
  in_progress: 'In progress',
  done: 'Done',
  cancelled: 'Cancelled',
}

/** Whether an action is still to be done and its due date has passed. */
export function isOverdue(action: { status: string; dueOn: string }, today: string): boolean {
  return (action.status === 'open' || action.status === 'in_progress') && action.dueOn < today
}

export type ActionDraft = {
  dueOn: string
  ownerAgency: { id: string; agencyType: string; serviceArea: string | null; name: string } | null
  ownerUserAgencyId: string | null
  power: Pick<Power, 'name' | 'usedBy'> | null
}

/** What is wrong with a new action or a change of owner, power or date; empty when none. */
export function actionProblems(draft: ActionDraft, today: string, isNew: boolean): FieldIssue[] {
  const issues: FieldIssue[] = []
  if (isNew && draft.dueOn < today) issues.push({ field: 'dueOn', message: 'The due date must be today or later' })
  if (!draft.ownerAgency) issues.push({ field: 'ownerAgencyId', message: 'Choose the agency that owns the action' })
  if (draft.ownerAgency && draft.ownerUserAgencyId === null) issues.push({ field: 'ownerUserId', message: 'Choose the officer who owns the action' })
  if (draft.ownerAgency && draft.ownerUserAgencyId !== null && draft.ownerUserAgencyId !== draft.ownerAgency.id) {
    issues.push({ field: 'ownerUserId', message: `The owner must be an officer of ${draft.ownerAgency.name}` })
  }
  if (draft.power && draft.ownerAgency && !mayUse(draft.power, draft.ownerAgency)) {
    issues.push({ field: 'powerId', message: `${draft.ownerAgency.name} cannot use the ${draft.power.name}: choose an agency that may, or another power` })
  }
  return issues
}

/**
 * The actions the overdue sweep should flag today: overdue, and not flagged since they last became
 * overdue (a changed due date clears the flag), so each owner and LRO hears once, not every night.
 */
export function actionsToFlag<T extends { status: string; dueOn: string; overdueFlaggedFor: string | null }>(actions: readonly T[], today: string): T[] {
  return actions.filter((a) => isOverdue(a, today) && a.overdueFlaggedFor !== a.dueOn)
}
