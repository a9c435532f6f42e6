/**
 * An operation's name as people say it: "Operation Nightjar". Some record the code word alone
 * ("Nightjar"), others the whole name ("Operation Nightjar", "Op Nightjar"); both read the same.
 */
export function operationLabel(name: string): string {
  return /^op(eration)?\b/i.test(name.trim()) ? name.trim() : `Operation ${name.trim()}`
}

/** A group as it is named beside its operation: "Kane family network (Operation Nightjar)". */
export function groupLabel(name: string, operationName: string | null | undefined): string {
  return operationName ? `${name} (${operationLabel(operationName)})` : name
}
