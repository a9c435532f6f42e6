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
  const bounds = layer.getBounds()
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] })
  // For the browser test and anyone curious: how many LSOAs were drawn, and which layer.
  element.dataset.drawn = String(boundaries.features.length)
  element.dataset.drawnLayer = data.layer.id
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
