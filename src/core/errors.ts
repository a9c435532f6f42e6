// The few failures a service may raise; src/http/errors.ts turns each into an answer in one place.

export type FieldIssue = { field: string; message: string }

export class ValidationError extends Error {
  constructor(readonly issues: FieldIssue[]) {
    super(issues.map((i) => `${i.field}: ${i.message}`).join('; '))
  }
}

export class NotFoundError extends Error {
  constructor(readonly what: string) {
    super(`${what} not found`)
  }
}

export class ForbiddenError extends Error {
  constructor(readonly reason: string) {
    super(reason)
  }
}

export class ConflictError extends Error {}

export class UnauthenticatedError extends Error {
  constructor(readonly reason: 'missing' | 'expired' | 'invalid' = 'missing') {
    super(reason === 'expired' ? 'Your session has expired' : 'You need to sign in')
  }
}
