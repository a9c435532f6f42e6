import proj4 from 'proj4'

// British National Grid (EPSG:27700, OSGB36 datum, Transverse Mercator on the Airy 1830 ellipsoid)
// to WGS84 longitude and latitude. The definition is EPSG's, as PROJ and epsg.io publish it: the
// datum shift is the seven-parameter Helmert transformation (EPSG:1314), good to about 5 m across
// Great Britain. Ordnance Survey's OSTN15 grid would be better than a metre, but it is a 15 MB
// grid file, and 5 m is well inside an LSOA's or a ward's boundary as published (the ONS
// generalises them to 20 m and more). Checked against ONS's own pairs of grid and longitude and
// latitude in test/unit/opendata-geo.test.ts.
const BNG =
  '+proj=tmerc +lat_0=49 +lon_0=-2 +k=0.9996012717 +x_0=400000 +y_0=-100000 +ellps=airy ' +
  '+towgs84=446.448,-125.157,542.06,0.15,0.247,0.842,-20.489 +units=m +no_defs'

const converter = proj4(BNG, 'WGS84')

/** [easting, northing] in metres on the British National Grid → [longitude, latitude] in degrees. */
export function bngToWgs84(easting: number, northing: number): [number, number] {
  const [lon, lat] = converter.forward([easting, northing])
  return [lon!, lat!]
}

/** The reverse, for tests and for writing a grid file from a WGS84 one. */
export function wgs84ToBng(longitude: number, latitude: number): [number, number] {
  const [x, y] = converter.inverse([longitude, latitude])
  return [x!, y!]
}
