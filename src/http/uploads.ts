import fastifyMultipart, { type MultipartFile } from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'

// Upload forms (imports, overlay points, custom areas) take one file beside a few fields. The file
// is read into memory, at most `maxBytes`, and kept with its name; a larger one is marked
// truncated, not refused by the parser, so the form can say what was wrong with it.

export type UploadedFile = { filename: string; data: Buffer; truncated: boolean }

/** Multipart parsing for the routes of the module that registers it (a Fastify plugin scope). */
export async function acceptUploads(app: FastifyInstance, o: { maxBytes: number; fields: number }): Promise<void> {
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    throwFileSizeLimit: false,
    limits: { fileSize: o.maxBytes, files: 1, fields: o.fields, fieldSize: o.maxBytes, parts: o.fields + 2 },
    onFile: async (part: MultipartFile) => {
      const data = await part.toBuffer()
      ;(part as MultipartFile & { value: UploadedFile }).value = { filename: part.filename, data, truncated: part.file.truncated }
    },
  })
}
