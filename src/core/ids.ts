const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

/** Whether a string has the shape of a record id (a UUID). */
export function isUuid(value: string): boolean {
  return UUID.test(value)
}
