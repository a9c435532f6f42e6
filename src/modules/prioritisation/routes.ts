import type { FastifyInstance } from 'fastify'

// Being written: this module's pages and API are registered here.
export async function prioritisationRoutes(_app: FastifyInstance): Promise<void> {}
