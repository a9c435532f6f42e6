// The map page's map, a progressive enhancement: the page's table already holds every LSOA's value
// and class, and the page works without this file. It draws the area's LSOA boundaries (from the
// database, through /api/v1/maps/boundaries) coloured by the layer (/api/v1/maps/layer) with
// Leaflet served from the installed package. There are no base tiles unless the deployment
// configured them (ACHILLES_MAP_TILES_URL), so it works with no internet.
import * as L from '/assets/leaflet/leaflet-src.esm.js'

const NO_VALUE = '#9e9e9e'

async function getJson(url) {
  const response = await fetch(url, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
  if (!response.ok) throw new Error(`The map could not load its data (${response.status})`)
  return response.json()
}

const escapeHtml = (text) => String(text).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c])

/** The LSOA's name, code, value and band, as an element (never HTML built from data). */
function describe(feature, cell, valueHeading) {
  const box = document.createElement('div')
  const name = document.createElement('strong')
  name.textContent = feature.properties.name
  const code = document.createElement('div')
  code.textContent = feature.properties.code
  const value = document.createElement('div')
  value.textContent = cell ? `${valueHeading}: ${cell.display}` : 'No value'
  box.append(name, code, value)
  if (cell) {
    const band = document.createElement('div')
    band.textContent = cell.band
    box.append(band)
  }
  return box
}

async function draw(element) {
  const [boundaries, data] = await Promise.all([getJson(element.dataset.boundariesUrl), getJson(element.dataset.layerUrl)])
  element.querySelector('.achilles-map__fallback')?.remove()
  const cells = new Map(data.layer.values.map((v) => [v.code, v]))
  const map = L.map(element, { zoomSnap: 0.25, attributionControl: true })
  map.attributionControl.setPrefix('Leaflet')
  if (element.dataset.tilesUrl) {
    L.tileLayer(element.dataset.tilesUrl, { attribution: escapeHtml(element.dataset.tilesAttribution ?? ''), maxZoom: 19 }).addTo(map)
  }
  map.attributionControl.addAttribution(escapeHtml(element.dataset.attribution ?? ''))

  const base = { color: '#505a5f', weight: 0.6, opacity: 1, fillOpacity: element.dataset.tilesUrl ? 0.7 : 0.85 }
  let selected = null
  const layer = L.geoJSON(boundaries, {
    style: (feature) => ({ ...base, fillColor: cells.get(feature.properties.code)?.colour ?? NO_VALUE }),
    onEachFeature: (feature, path) => {
      const cell = cells.get(feature.properties.code)
      path.bindTooltip(() => describe(feature, cell, data.layer.valueHeading), { sticky: true })
      path.bindPopup(() => describe(feature, cell, data.layer.valueHeading))
      path.on('mouseover', () => path.setStyle({ weight: 3, color: '#0b0c0c' }))
      path.on('mouseout', () => { if (selected !== path) layer.resetStyle(path) })
      path.on('click', () => {
        if (selected && selected !== path) layer.resetStyle(selected)
        selected = path
        path.setStyle({ weight: 3, color: '#0b0c0c' })
        path.bringToFront()
      })
    },
  }).addTo(map)
  const heat = drawDensity(element, map)
  if (heat) L.control.layers(null, { [heat.label]: heat.overlay, 'LSOAs': layer }, { collapsed: false }).addTo(map)
  const bounds = layer.getBounds()
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] })
  // For the browser test and anyone curious: how many LSOAs were drawn, and which layer.
  element.dataset.drawn = String(boundaries.features.length)
  element.dataset.drawnLayer = data.layer.id
}

// Web Mercator's y of a latitude, and back (on the unit sphere: only ratios of it are used).
const mercatorY = (latitude) => Math.log(Math.tan(Math.PI / 4 + (latitude * Math.PI) / 360))
const latitudeOf = (y) => (360 / Math.PI) * Math.atan(Math.exp(y)) - 90

/**
 * The heat map (kernel density) the page embedded, as one image over the map. Its cells are equal
 * in degrees, but Leaflet stretches an image linearly in Web Mercator, so each of the image's
 * pixel rows takes the grid row at its own latitude: the cells land where they are, not a few
 * hundred metres off at the edges of a county.
 */
function drawDensity(element, map) {
  const source = element.dataset.density && document.getElementById(element.dataset.density)
  if (!source) return null
  const data = JSON.parse(source.textContent)
  const s = data.surface
  const classOfCell = new Int8Array(s.columns * s.rows).fill(-1)
  for (const [row, column, span, k] of s.runs) classOfCell.fill(k, row * s.columns + column, row * s.columns + column + span)
  const colours = s.classes.map((c) => [1, 3, 5].map((i) => parseInt(c.colour.slice(i, i + 2), 16)))
  const yNorth = mercatorY(s.extent.north)
  const ySouth = mercatorY(s.extent.south)
  // Two pixel rows a grid row, so a cell's edge is drawn at most a quarter of its height from where it is.
  const height = Math.min(4096, s.rows * 2)
  const canvas = document.createElement('canvas')
  canvas.width = s.columns
  canvas.height = height
  const context = canvas.getContext('2d')
  const image = context.createImageData(s.columns, height)
  for (let j = 0; j < height; j++) {
    const latitude = latitudeOf(yNorth - ((j + 0.5) / height) * (yNorth - ySouth))
    const row = Math.min(s.rows - 1, Math.max(0, Math.floor((latitude - s.extent.south) / s.cellHeightDegrees)))
    for (let column = 0; column < s.columns; column++) {
      const k = classOfCell[row * s.columns + column]
      if (k < 0) continue
      const at = (j * s.columns + column) * 4
      const [r, g, b] = colours[k]
      image.data[at] = r
      image.data[at + 1] = g
      image.data[at + 2] = b
      image.data[at + 3] = 255
    }
  }
  context.putImageData(image, 0, 0)
  // Its own pane above the LSOAs' (400) and below the tooltips, letting the pointer through to them.
  const pane = map.createPane('achilles-density')
  pane.style.zIndex = '450'
  pane.style.pointerEvents = 'none'
  const overlay = L.imageOverlay(canvas.toDataURL('image/png'), [[s.extent.south, s.extent.west], [s.extent.north, s.extent.east]], {
    pane: 'achilles-density',
    opacity: 0.85,
    interactive: false,
    className: 'achilles-density',
    alt: `Heat map of ${data.source.label.toLowerCase()}`,
  }).addTo(map)
  element.dataset.densityRuns = String(s.runs.length)
  return { overlay, label: `Heat map: ${data.source.label.toLowerCase()}` }
}

const element = document.getElementById('map')
if (element) {
  draw(element).catch((error) => {
    const message = document.createElement('p')
    message.className = 'govuk-body achilles-map__fallback'
    message.textContent = `${error.message}. The table below has every LSOA's value.`
    element.replaceChildren(message)
  })
}
