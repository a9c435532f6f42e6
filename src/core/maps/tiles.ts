// Optional base map tiles. The page's Content-Security-Policy lets images come from the page's own
// origin only, so a configured tile server's origin is added to img-src for the map page alone.

/**
 * The CSP source that admits a tile URL template's images: its origin, with a Leaflet subdomain
 * placeholder ({s}.tile.example.org) widened to a wildcard (*.tile.example.org).
 */
export function tileImageSource(template: string): string {
  const m = /^(https?):\/\/([^/?#]+)/i.exec(template)
  if (!m) throw new RangeError(`A tile URL must start http:// or https://, not ${JSON.stringify(template)}`)
  const host = m[2]!.replace(/^\{s\}\./, '*.')
  if (/[{}]/.test(host)) throw new RangeError(`A tile URL's host may hold only a leading {s}. placeholder: ${JSON.stringify(template)}`)
  return `${m[1]!.toLowerCase()}://${host.toLowerCase()}`
}

/** A Content-Security-Policy with the source added to its img-src directive. */
export function allowImages(policy: string, source: string): string {
  const directives = policy.split(';').map((d) => d.trim()).filter(Boolean)
  const i = directives.findIndex((d) => d.split(/\s+/)[0] === 'img-src')
  if (i === -1) directives.push(`img-src 'self' ${source}`)
  else directives[i] = `${directives[i]} ${source}`
  return directives.join(';')
}
