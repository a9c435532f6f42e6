import { normaliseHeading } from '../imports/values.ts'
import { CODE_DESCRIPTIONS, isAreaCode, isInUk, LEVEL_NOUNS, looksLikeBng, normaliseCode, UK_BOUNDS_TEXT, type AreaLevel } from './codes.ts'
import { bboxOf, pointInside, type AreaGeometry, type Bbox, type Polygon, type Position } from './geometry.ts'
import { bngToWgs84 } from './projection.ts'
import type { Tally } from './tally.ts'

// Area boundaries as GeoJSON, as the ONS Open Geography Portal publishes them: a FeatureCollection
// of Polygon or MultiPolygon features, each with the area's code and name among its properties,
// in WGS84 longitude and latitude or in British National Grid metres (EPSG:27700), which are
// converted to WGS84 so that every stored boundary is in the coordinates GeoJSON (RFC 7946) and
// web maps use.

export type CoordinateSystem = 'wgs84' | 'bng'

export type BoundaryArea = {
  code: string
  name: string
  geometry: AreaGeometry
  bbox: Bbox
  /** A point inside the area (not always its centroid: see pointInside). */
  centroid: Position
  /** The local authority a ward names among its properties (LAD25CD), if any. */
  parentCode: string | null
}

export type BoundaryReading =
  | {
      ok: true
      system: CoordinateSystem
      /** How the coordinate system was known: from the file's crs member or from the coordinates' size. */
      systemFrom: 'crs' | 'coordinates'
      codeProperty: string
      nameProperty: string | null
      parentProperty: string | null
      features: number
      areas: BoundaryArea[]
    }
  | { ok: false; message: string }

export type BoundaryOptions = {
  level: AreaLevel
  file: string
  tally: Tally
  codeProperty?: string
  nameProperty?: string
}

// The ONS names its code properties by kind and year: LSOA11CD, WD17CD, WD25CD, LAD23CD, PFA23CD,
// and sometimes in lower case (lsoa11cd). Compared without case or punctuation.
const CODE_KEYS: Record<AreaLevel, RegExp> = {
  lsoa: /^(lsoa11cd|lsoa11code|lsoacode|lsoa11)$/,
  ward: /^(wd\d{2}cd|ward\d{2}cd|wardcode|wdcode)$/,
  local_authority: /^(lad\d{2}cd|ltla\d{2}cd|ladcode|localauthoritycode)$/,
  csp: /^(csp\d{2}cd|cspcode)$/,
  police_force: /^(pfa\d{2}cd|pfacode|policeforceareacode)$/,
}
const PARENT_KEY = /^lad\d{2}cd$/

type Feature = { type?: unknown; properties?: unknown; geometry?: unknown }

export function readBoundaries(json: unknown, o: BoundaryOptions): BoundaryReading {
  const root = json as { type?: unknown; features?: unknown; crs?: unknown } | null
  if (typeof root !== 'object' || root === null) return { ok: false, message: 'It is not a GeoJSON object' }
  let features: Feature[]
  if (root.type === 'FeatureCollection' && Array.isArray(root.features)) features = root.features as Feature[]
  else if (root.type === 'Feature') features = [root as Feature]
  else if (typeof root.type === 'string' && ['Polygon', 'MultiPolygon', 'GeometryCollection'].includes(root.type)) return { ok: false, message: `It is a bare ${root.type}, with no properties to give each area its code: give a FeatureCollection` }
  else return { ok: false, message: 'It is not a GeoJSON FeatureCollection (its "type" must be "FeatureCollection", with a "features" list)' }
  if (features.length === 0) return { ok: false, message: 'Its FeatureCollection has no features' }

  const system = coordinateSystem(root.crs, features)
  if ('message' in system) return { ok: false, message: system.message }

  const keys = propertyKeys(features)
  const code = codeProperty(o, keys, features)
  if ('message' in code) return { ok: false, message: code.message }
  const nameKey = nameProperty(o, keys, code.key)
  if (nameKey && 'message' in nameKey) return { ok: false, message: nameKey.message }
  const parentKey = o.level === 'ward' ? (keys.find((k) => PARENT_KEY.test(normaliseHeading(k))) ?? null) : null

  const areas: BoundaryArea[] = []
  const seen = new Map<string, number>()
  const reasons = new Map<string, number>()
  features.forEach((feature, i) => {
    const n = i + 1
    const reject = (reason: string, value: string | null = null) => {
      o.tally.reject(o.file, n, reason, null, value)
      reasons.set(reason, (reasons.get(reason) ?? 0) + 1)
    }
    if (typeof feature !== 'object' || feature === null || feature.type !== 'Feature') return reject('Not a GeoJSON Feature')
    const props = (typeof feature.properties === 'object' && feature.properties !== null ? feature.properties : {}) as Record<string, unknown>
    const rawCode = props[code.key]
    if (typeof rawCode !== 'string' || rawCode.trim() === '') return reject(`Has no code in its property ${code.key}`)
    const areaCode = normaliseCode(rawCode)
    if (!isAreaCode(o.level, areaCode)) return reject(`Its code is not ${CODE_DESCRIPTIONS[o.level]}`, rawCode)
    const earlier = seen.get(areaCode)
    if (earlier !== undefined) return reject('Its code is given again: the first feature with it was loaded', `${areaCode} (first in feature ${earlier})`)
    const geometry = readGeometry(feature.geometry, system.system)
    if ('reason' in geometry) return reject(geometry.reason, areaCode)
    const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates
    const bbox = bboxOf(polygons)
    const centroid = pointInside(polygons)
    if (!isInUk(centroid[0], centroid[1])) return reject(`Lies outside the UK (${UK_BOUNDS_TEXT})`, areaCode)
    let name = areaCode
    const rawName = nameKey ? props[nameKey.key] : undefined
    if (typeof rawName === 'string' && rawName.trim() !== '') name = rawName.trim().slice(0, 200)
    else o.tally.note(o.file, n, 'Has no name: its code is used as its name', nameKey?.key ?? null, areaCode)
    const rawParent = parentKey ? props[parentKey] : undefined
    const parentCode = typeof rawParent === 'string' && isAreaCode('local_authority', normaliseCode(rawParent)) ? normaliseCode(rawParent) : null
    seen.set(areaCode, n)
    areas.push({ code: areaCode, name, geometry, bbox, centroid, parentCode })
  })
  if (areas.length === 0) {
    const why = [...reasons].map(([reason, count]) => `${count.toLocaleString('en-GB')} ${reason.charAt(0).toLowerCase()}${reason.slice(1)}`).join('; ')
    return { ok: false, message: `None of its ${features.length.toLocaleString('en-GB')} features is a usable ${LEVEL_NOUNS[o.level]} boundary: ${why}` }
  }
  return { ok: true, system: system.system, systemFrom: system.from, codeProperty: code.key, nameProperty: nameKey?.key ?? null, parentProperty: parentKey, features: features.length, areas }
}

/** The coordinate system the file declares, checked against the size of its coordinates. */
function coordinateSystem(crs: unknown, features: Feature[]): { system: CoordinateSystem; from: 'crs' | 'coordinates' } | { message: string } {
  const sample = samplePositions(features, 2_000)
  if (sample.length === 0) return { message: 'None of its features has coordinates: it has no usable geometry' }
  const degrees = sample.every(([x, y]) => Math.abs(x) <= 180 && Math.abs(y) <= 90)
  const metres = sample.every(([x, y]) => looksLikeBng(x, y) || (x >= 0 && y >= 0 && x <= 800_000 && y <= 1_300_000))
  const declared = declaredSystem(crs)
  if (declared && 'message' in declared) return declared
  if (declared) {
    if (declared.system === 'wgs84' && !degrees) return { message: `Its crs member says WGS84 longitude and latitude (${declared.name}), but its coordinates are too large to be degrees: correct the crs member (British National Grid is EPSG:27700)` }
    if (declared.system === 'bng' && !metres) return { message: `Its crs member says British National Grid (${declared.name}), but its coordinates are not eastings and northings in Great Britain` }
    return { system: declared.system, from: 'crs' }
  }
  // No crs member: RFC 7946 says WGS84, but files exported from a GIS in the grid often say nothing.
  if (degrees) return { system: 'wgs84', from: 'coordinates' }
  if (metres) return { system: 'bng', from: 'coordinates' }
  return { message: 'Its coordinates are neither WGS84 longitude and latitude nor British National Grid eastings and northings, and it has no crs member saying what they are' }
}

function declaredSystem(crs: unknown): { system: CoordinateSystem; name: string } | { message: string } | null {
  if (typeof crs !== 'object' || crs === null) return null
  const c = crs as { type?: unknown; properties?: { name?: unknown; code?: unknown } }
  const name = typeof c.properties?.name === 'string' ? c.properties.name : c.type === 'EPSG' && c.properties?.code !== undefined ? `EPSG:${String(c.properties.code)}` : null
  if (name === null) return null
  if (/CRS84$|(^|[:])4326$|EPSG::?4326\b|WGS ?84/i.test(name)) return { system: 'wgs84', name }
  if (/(^|[:])27700$|EPSG::?27700\b|British National Grid|OSGB ?(19)?36/i.test(name)) return { system: 'bng', name }
  return { message: `Its coordinate reference system (${name}) is not one this import reads: give WGS84 (EPSG:4326 or CRS84) or British National Grid (EPSG:27700)` }
}

function samplePositions(features: Feature[], limit: number): Position[] {
  const out: Position[] = []
  const walk = (v: unknown): void => {
    if (out.length >= limit || !Array.isArray(v)) return
    if (typeof v[0] === 'number' && typeof v[1] === 'number') {
      if (Number.isFinite(v[0]) && Number.isFinite(v[1])) out.push([v[0], v[1]])
      return
    }
    for (const item of v) walk(item)
  }
  // Spread over the file, not only its first feature.
  const step = Math.max(1, Math.floor(features.length / 200))
  for (let i = 0; i < features.length && out.length < limit; i += step) {
    const g = (features[i] as Feature | null)?.geometry as { coordinates?: unknown } | null | undefined
    walk(g?.coordinates)
  }
  return out
}

function propertyKeys(features: Feature[]): string[] {
  const keys = new Set<string>()
  for (const f of features.slice(0, 200)) {
    if (typeof f?.properties === 'object' && f.properties !== null) for (const k of Object.keys(f.properties)) keys.add(k)
  }
  return [...keys]
}

function codeProperty(o: BoundaryOptions, keys: string[], features: Feature[]): { key: string } | { message: string } {
  const available = `its features' properties are ${keys.map((k) => `"${k}"`).join(', ') || 'empty'}`
  if (o.codeProperty) {
    return keys.includes(o.codeProperty) ? { key: o.codeProperty } : { message: `It has no property "${o.codeProperty}" (named by --code-property): ${available}` }
  }
  const named = keys.find((k) => CODE_KEYS[o.level].test(normaliseHeading(k)))
  if (named) return { key: named }
  // 2021 LSOAs have codes of the same shape, but a different set: data.police.uk's street-level
  // files of these years and the IoD 2019 are on the 2011 LSOAs.
  const lsoa2021 = keys.find((k) => /^lsoa21cd$/.test(normaliseHeading(k)))
  if (o.level === 'lsoa' && lsoa2021) return { message: `Its codes are 2021 LSOAs (${lsoa2021}): street-level crime and the IoD 2019 use the 2011 LSOAs, so give the 2011 boundaries (LSOA11CD)` }
  // Otherwise the property whose values are codes of the level, in nearly every feature.
  let best: { key: string; share: number } | null = null
  const sample = features.slice(0, 500)
  for (const key of keys) {
    const hits = sample.filter((f) => {
      const v = (f?.properties as Record<string, unknown> | null | undefined)?.[key]
      return typeof v === 'string' && isAreaCode(o.level, normaliseCode(v))
    }).length
    const share = hits / sample.length
    if (share >= 0.9 && (!best || share > best.share)) best = { key, share }
  }
  if (best) return { key: best.key }
  return { message: `No property holds ${LEVEL_NOUNS[o.level]} codes (${CODE_DESCRIPTIONS[o.level]}): ${available}. Name the property with --code-property, or check --level` }
}

function nameProperty(o: BoundaryOptions, keys: string[], codeKey: string): { key: string } | { message: string } | null {
  if (o.nameProperty) {
    return keys.includes(o.nameProperty) ? { key: o.nameProperty } : { message: `It has no property "${o.nameProperty}" (named by --name-property): its features' properties are ${keys.map((k) => `"${k}"`).join(', ')}` }
  }
  // LSOA11CD goes with LSOA11NM, WD25CD with WD25NM (not WD25NMW, the Welsh name, which is blank in England).
  const partner = codeKey.replace(/cd$/i, (m) => (m === 'CD' ? 'NM' : 'nm')).replace(/code$/i, (m) => (m === 'CODE' ? 'NAME' : m === 'Code' ? 'Name' : 'name'))
  if (partner !== codeKey && keys.includes(partner)) return { key: partner }
  const named = keys.find((k) => /nm$|name$/i.test(k) && !/nmw$/i.test(k))
  return named ? { key: named } : null
}

/** A Polygon or MultiPolygon with every position checked, rings closed, and in WGS84. */
function readGeometry(raw: unknown, system: CoordinateSystem): AreaGeometry | { reason: string } {
  if (raw === null || raw === undefined) return { reason: 'Has no geometry' }
  const g = raw as { type?: unknown; coordinates?: unknown }
  if (g.type !== 'Polygon' && g.type !== 'MultiPolygon') return { reason: `Its geometry is ${typeof g.type === 'string' ? `a ${g.type}` : 'not GeoJSON'}, not a Polygon or MultiPolygon` }
  const list = g.type === 'Polygon' ? [g.coordinates] : g.coordinates
  if (!Array.isArray(list) || list.length === 0) return { reason: 'Its geometry has no coordinates' }
  const polygons: Polygon[] = []
  for (const rawPolygon of list) {
    if (!Array.isArray(rawPolygon) || rawPolygon.length === 0) return { reason: 'A polygon of its geometry has no rings' }
    const polygon: Polygon = []
    for (const rawRing of rawPolygon) {
      if (!Array.isArray(rawRing)) return { reason: 'A ring of its geometry is not a list of positions' }
      const ring: Position[] = []
      for (const p of rawRing) {
        if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) {
          return { reason: 'A position of its geometry is not a pair of numbers' }
        }
        if (system === 'bng') {
          const [lon, lat] = bngToWgs84(p[0], p[1])
          // A millionth of a degree is about 10 cm: finer than the boundaries are drawn.
          ring.push([Math.round(lon * 1e6) / 1e6, Math.round(lat * 1e6) / 1e6])
        } else {
          if (Math.abs(p[0]) > 180 || Math.abs(p[1]) > 90) return { reason: 'A position of its geometry is not a longitude and latitude' }
          ring.push([p[0], p[1]])
        }
      }
      const first = ring[0]
      const last = ring[ring.length - 1]
      // RFC 7946 rings end where they start; a ring left open is closed rather than refused.
      if (first && last && (first[0] !== last[0] || first[1] !== last[1])) ring.push([first[0], first[1]])
      if (ring.length < 4) return { reason: 'A ring of its geometry has fewer than three distinct positions' }
      polygon.push(ring)
    }
    polygons.push(polygon)
  }
  return g.type === 'Polygon' ? { type: 'Polygon', coordinates: polygons[0]! } : { type: 'MultiPolygon', coordinates: polygons }
}
