// Drawing a custom area, a progressive enhancement of the upload form: without this file the form
// takes a GeoJSON file or pasted text. With it, an analyst clicks corners on a map of the loaded
// LSOA outlines and the polygon is written, as GeoJSON, into the form's text box, so the server
// checks and stores a drawn shape exactly as it does a pasted one.
import * as L from '/assets/leaflet/leaflet-src.esm.js'

const panel = document.getElementById('draw-area')
const textBox = document.getElementById('geojson')
if (panel && textBox) {
  panel.hidden = false
  const status = document.getElementById('draw-status')
  const chooser = document.getElementById('draw-over')
  // Great Britain until the outlines arrive: Leaflet needs a view before it can draw anything.
  const map = L.map('draw-map', { attributionControl: true, doubleClickZoom: false }).setView([54.5, -2.5], 5)
  map.attributionControl.setPrefix(false)
  map.attributionControl.addAttribution('Source: Office for National Statistics licensed under the OGL v3.0. Contains OS data © Crown copyright and database right.')
  const outlines = L.geoJSON(null, { style: { color: '#505a5f', weight: 1, fill: false }, interactive: false }).addTo(map)
  const shape = L.polygon([], { color: '#d4351c', weight: 3, fillOpacity: 0.15 }).addTo(map)
  const corners = []

  const redraw = () => {
    shape.setLatLngs(corners)
    // Six decimal places is about 10 cm: finer than any boundary it is compared with.
    const ring = corners.map((c) => [Number(c.lng.toFixed(6)), Number(c.lat.toFixed(6))])
    if (corners.length >= 3) {
      textBox.value = JSON.stringify({ type: 'Polygon', coordinates: [[...ring, ring[0]]] })
      status.textContent = `${corners.length} corners: the shape is in the box above. Add more corners, or make the area.`
    } else {
      if (corners.length > 0) textBox.value = ''
      status.textContent = corners.length === 0 ? 'No corners yet.' : `${corners.length} corner${corners.length === 1 ? '' : 's'}: a shape needs at least 3.`
    }
  }

  async function showOutlines(code) {
    const response = await fetch(`/api/v1/maps/boundaries?area=${encodeURIComponent(code)}`, { headers: { accept: 'application/json' }, credentials: 'same-origin' })
    if (!response.ok) {
      status.textContent = `The outlines could not be loaded (${response.status}); you can still paste or upload a shape.`
      return
    }
    outlines.clearLayers()
    outlines.addData(await response.json())
    const bounds = outlines.getBounds()
    if (bounds.isValid()) map.fitBounds(bounds)
  }

  map.on('click', (event) => {
    corners.push(event.latlng)
    redraw()
  })
  document.getElementById('draw-undo').addEventListener('click', () => {
    corners.pop()
    redraw()
  })
  document.getElementById('draw-clear').addEventListener('click', () => {
    corners.length = 0
    textBox.value = ''
    redraw()
  })
  chooser.addEventListener('change', () => void showOutlines(chooser.value))
  void showOutlines(chooser.value)
}
