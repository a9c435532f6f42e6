import { isUuid } from '../core/ids.ts'
import type { z } from 'zod'
import { NotFoundError, ValidationError, type FieldIssue } from '../core/errors.ts'

/** Parses input with a zod schema, or raises a ValidationError naming each faulty field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown): z.infer<S> {
  const result = schema.safeParse(input)
  if (result.success) return result.data
  throw new ValidationError(issuesOf(result.error))
}

export function issuesOf(error: z.ZodError): FieldIssue[] {
  return error.issues.flatMap((issue): FieldIssue[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({ field: [...issue.path, key].join('.'), message: `Unknown field "${key}": remove it` }))
    }
    const field = issue.path.length > 0 ? issue.path.join('.') : 'body'
    return [{ field, message: issue.message }]
  })
}


/** A record id from a page address; one that cannot be an id is simply not found. */
export function pathId(params: unknown, key: string, what: string): string {
  const value = (params as Record<string, unknown> | undefined)?.[key]
  if (typeof value === 'string' && isUuid(value)) return value.toLowerCase()
  throw new NotFoundError(what)
}

/** A form field that may come once, many times or not at all (checkboxes), as a list of values. */
export function formValues(value: unknown): string[] {
  return value === undefined || value === null || value === '' ? [] : Array.isArray(value) ? value.map(String) : [String(value)]
}
