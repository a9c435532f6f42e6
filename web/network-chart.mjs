// The link chart: sigma.js (WebGL) over a graphology graph, fed by GET /api/network. Everything the
// chart shows is also in the table under it and on the server-rendered list view (/network); this
// file only enhances the page. Filters work over what was fetched, so they answer at once; "Fetch
// again" passes them to the API. Layout is ForceAtlas2 on the server (POST /api/network/layout),
// because the layout package has no browser build and a 10,000-node layout on the main thread would
// freeze the page; the chart is drawn from seeded positions first and moves when the layout answers.

const config = JSON.parse(document.getElementById('chart-config').textContent)
const $ = (id) => document.getElementById(id)
const app = $('chart-app')
const statusLine = $('chart-status')

/** Rows the table lists at most: it is the accessible view of the chart, not a 25,000-row download (the list view has all). */
const TABLE_LIMIT = 500
/** The node chooser lists at most this many, largest first. */
const CHOOSER_LIMIT = 2000
/** Hovering over links costs a picking pass per frame; above this many, links are chosen from a node or the table instead. */
const EDGE_EVENTS_LIMIT = 5000
const HANDLING_COLOURS = { C: '#d4351c', P: '#505a5f' }
const UNCODED_COLOUR = '#b1b4b6'
// Sequential (light to dark blue) for a measure, categorical for communities; all pass 3:1 on white.
const SEQUENTIAL = ['#8eb8dc', '#5694ca', '#1d70b8', '#144e81', '#0b2d4b']
const CATEGORICAL = ['#1d70b8', '#d4351c', '#00703c', '#f47738', '#4c2c92', '#b58840', '#912b88', '#28a197', '#6f72af', '#85994b']
const MEASURE_LABELS = { degree: 'Degree', betweenness: 'Betweenness', pagerank: 'PageRank', community: 'Community' }

function webglAvailable() {
  try {
    const canvas = document.createElement('canvas')
    return Boolean(canvas.getContext('webgl2') || canvas.getContext('webgl'))
  } catch {
    return false
  }
}

function showError(message) {
  $('chart-error-text').textContent = message
  $('chart-error').hidden = false
  $('chart-error').focus()
}

function clearError() {
  $('chart-error').hidden = true
}

if (!webglAvailable() || !window.graphology || !window.Sigma) {
  $('chart-unsupported').hidden = false
} else {
  start()
}

/** A start position from a node id (FNV-1a), so a chart opens the same way each time. */
function seededPoint(id, cx, cy, radius) {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  const a = ((h >>> 0) % 100000) / 100000
  h = Math.imul(h ^ 0x9e3779b9, 0x01000193)
  const r = Math.sqrt(((h >>> 0) % 100000) / 100000)
  return { x: cx + Math.cos(a * 2 * Math.PI) * r * radius, y: cy + Math.sin(a * 2 * Math.PI) * r * radius }
}

const plural = (n, one, many) => `${n.toLocaleString('en-GB')} ${n === 1 ? one : many}`
const text = (tag, value, className) => {
  const el = document.createElement(tag)
  el.textContent = value
  if (className) el.className = className
  return el
}
const dates = (e) => (e.from || e.to ? `${e.from ?? '…'} to ${e.to ?? 'now'}` : 'No dates')
const handlingText = (e) => (e.handlingCode === 'C' ? `C: ${e.handlingConditions ?? 'conditions apply'}` : e.handlingCode === 'P' ? 'P: no conditions' : 'No handling code')

function start() {
  app.hidden = false
  const graph = new window.graphology.MultiGraph({ allowSelfLoops: false })
  /** Everything fetched, by id: nodes with their measures, edges as the API gave them. */
  const nodes = new Map()
  const edges = new Map()
  const starts = new Set([config.start])
  const expanded = new Set()
  const pinned = new Set()
  /** Where pinned nodes were put, kept across a fetch again (which rebuilds the graph). */
  const pinnedAt = new Map(Object.entries(config.chart?.pinned ?? {}))
  const linkTypeLabels = new Map()
  const filters = { from: '', to: '', types: new Set(), gradings: new Set(), handling: new Set(), on: null }
  let sizeBy = 'degree'
  let selected = null // { kind: 'node' | 'edge', id }
  let visibleNodes = new Set()
  /** Each shown node's size and colour from the chosen measure, applied in the reducer (sigma cannot repaint a node it drew hidden). */
  const style = new Map()
  let visibleEdges = new Set()
  let timelineDates = []
  let firstRendered = false

  const saved = config.chart
  if (saved) {
    for (const id of saved.expanded) starts.add(id), expanded.add(id)
    const f = saved.filters ?? {}
    filters.from = f.from ?? ''
    filters.to = f.to ?? ''
    filters.types = new Set(f.types ?? [])
    filters.gradings = new Set(f.gradings ?? [])
    filters.handling = new Set(f.handling ?? [])
    sizeBy = saved.sizeBy
  }
  $('filter-from').value = filters.from
  $('filter-to').value = filters.to
  $('size-by').value = sizeBy
  for (const box of document.querySelectorAll('#filter-handling input')) box.checked = filters.handling.has(box.value)

  const container = $('chart')
  const renderer = new window.Sigma(graph, container, {
    renderEdgeLabels: false,
    enableEdgeEvents: false,
    defaultEdgeType: 'line',
    labelRenderedSizeThreshold: 8,
    // Panning and zooming a 10,000-node chart draws nodes only while it moves (bench/networkChart.ts).
    hideEdgesOnMove: true,
    hideLabelsOnMove: true,
    zIndex: true,
    nodeReducer: (node, data) => {
      const out = { ...data, ...style.get(node) }
      if (!visibleNodes.has(node)) out.hidden = true
      if (selected && selected.kind === 'node' && selected.id === node) out.highlighted = true
      if (pinned.has(node)) out.label = `${data.label} (pinned)`
      if (starts.has(node)) out.forceLabel = true
      return out
    },
    edgeReducer: (edge, data) => {
      const out = { ...data }
      if (!visibleEdges.has(edge)) out.hidden = true
      if (selected && ((selected.kind === 'edge' && selected.id === edge) || (selected.kind === 'node' && graph.hasExtremity(edge, selected.id)))) {
        out.size = (data.size ?? 1) * 2.5
        out.zIndex = 1
      }
      return out
    },
  })

  // The bench and the browser test read the chart through this; nothing else does.
  const firstRender = new Promise((resolve) => {
    renderer.on('afterRender', () => {
      if (firstRendered || graph.order === 0) return
      firstRendered = true
      const at = performance.now()
      container.dataset.firstRenderMs = String(Math.round(at))
      resolve(at)
    })
  })
  window.achillesChart = { renderer, graph, firstRender }

  // ------------------------------------------------------------------------------------------
  // Fetching and merging.

  function apiQuery(startId, hops, withFilters) {
    const params = new URLSearchParams({ start: startId, hops: String(hops) })
    if (withFilters) {
      if (filters.from) params.set('from', filters.from)
      if (filters.to) params.set('to', filters.to)
      if (filters.types.size) params.set('types', [...filters.types].join(','))
      if (filters.gradings.size) params.set('gradings', [...filters.gradings].join(','))
      if (filters.handling.size) params.set('handling', [...filters.handling].join(','))
    }
    return `${config.networkUrl}?${params}`
  }

  async function fetchNetwork(startId, hops, withFilters) {
    const response = await fetch(apiQuery(startId, hops, withFilters), { headers: { accept: 'application/json' }, credentials: 'same-origin' })
    if (response.ok) return response.json()
    const problem = await response.json().catch(() => ({}))
    if (response.status === 404) throw new Error('That start does not exist, or you are not permitted to see it.')
    const detail = problem.errors?.map((e) => e.message).join('. ') || problem.detail || problem.title || `The network could not be fetched (${response.status})`
    throw new Error(detail)
  }

  /** Adds what a fetch found; new nodes start near the node they were reached from, so an expansion grows where it was asked for. */
  function merge(network, near) {
    const centre = near && graph.hasNode(near) ? graph.getNodeAttributes(near) : { x: 0, y: 0 }
    const radius = near ? 30 : Math.max(10, Math.sqrt(network.nodes.length) * 10)
    for (const type of network.linkTypes ?? []) if (!linkTypeLabels.has(type)) linkTypeLabels.set(type, type.replace(/_/g, ' '))
    for (const node of network.nodes) {
      if (!nodes.has(node.id)) nodes.set(node.id, node)
      if (!graph.hasNode(node.id)) {
        const at = pinnedAt.get(node.id)
        const { x, y } = at ? { x: at[0], y: at[1] } : seededPoint(node.id, centre.x, centre.y, radius)
        if (at) pinned.add(node.id)
        graph.addNode(node.id, { x, y, label: node.label, size: 4, color: SEQUENTIAL[0] })
      }
    }
    for (const edge of network.edges) {
      if (edges.has(edge.id) || !graph.hasNode(edge.source) || !graph.hasNode(edge.target) || edge.source === edge.target) continue
      edges.set(edge.id, edge)
      if (!linkTypeLabels.has(edge.type)) linkTypeLabels.set(edge.type, edge.type.replace(/_/g, ' '))
      graph.addEdgeWithKey(edge.id, edge.source, edge.target, {
        color: HANDLING_COLOURS[edge.handlingCode] ?? UNCODED_COLOUR,
        size: Math.min(4, 1 + Math.log2(Math.max(1, edge.weight ?? 1))),
        type: edge.directed ? 'arrow' : 'line',
      })
    }
    if (network.truncated) showError(`The network around ${nodes.get(network.start)?.label ?? 'the start'} was cut at ${network.nodes.length.toLocaleString('en-GB')} nodes: ask for fewer hops, or filter and fetch again.`)
  }

  async function load(withFilters) {
    setStatus('loading', 'Loading the network…')
    clearError()
    try {
      const hops = Number($('filter-hops').value) || config.hops
      merge(await fetchNetwork(config.start, hops, withFilters), null)
      for (const id of expanded) {
        try {
          merge(await fetchNetwork(id, 1, withFilters), id)
        } catch (error) {
          // An expansion whose node the user may no longer see is dropped, as the saved chart's was.
          expanded.delete(id)
          starts.delete(id)
        }
      }
    } catch (error) {
      showError(error.message)
    }
    refreshAll()
    if (graph.order > 0) layOut()
  }

  async function expand(id) {
    if (!id || !graph.hasNode(id)) return
    setStatus('loading', `Fetching the links of ${graph.getNodeAttribute(id, 'label')}…`)
    clearError()
    try {
      merge(await fetchNetwork(id, 1, false), id)
      if (id !== config.start) expanded.add(id), starts.add(id)
    } catch (error) {
      showError(error.message)
    }
    refreshAll()
    layOut()
  }

  async function refetch() {
    for (const id of pinned) if (graph.hasNode(id)) pinnedAt.set(id, [graph.getNodeAttribute(id, 'x'), graph.getNodeAttribute(id, 'y')])
    graph.clear()
    nodes.clear()
    edges.clear()
    await load(true)
  }

  // ------------------------------------------------------------------------------------------
  // Layout on the server, pinned nodes fixed.

  let layoutRun = 0
  async function layOut() {
    const run = ++layoutRun
    const order = graph.nodes()
    const index = new Map(order.map((id, i) => [id, i]))
    const pairs = []
    graph.forEachEdge((edge, attributes, source, target) => pairs.push(index.get(source), index.get(target)))
    const positions = {}
    graph.forEachNode((id, a) => (positions[id] = [a.x, a.y]))
    $('chart-layout').disabled = true
    try {
      const response = await fetch(config.layoutUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken() },
        credentials: 'same-origin',
        body: JSON.stringify({ nodes: order, edges: pairs, positions, pinned: [...pinned] }),
      })
      if (!response.ok) throw new Error(`The chart could not be laid out (${response.status})`)
      const result = await response.json()
      // A later layout or a fetch since then wins; nodes dragged meanwhile keep where they were put.
      if (run !== layoutRun) return
      graph.updateEachNodeAttributes((id, a) => {
        const p = result.positions[id]
        return p && !pinned.has(id) ? { ...a, x: p[0], y: p[1] } : a
      })
      container.dataset.layout = String(run)
    } catch (error) {
      showError(error.message)
    } finally {
      $('chart-layout').disabled = false
    }
  }

  const csrfToken = () => document.querySelector('#chart-save input[name="_csrf"]').value

  // ------------------------------------------------------------------------------------------
  // Filters, measures and what is shown.

  function edgeShown(e) {
    if (filters.types.size && !filters.types.has(e.type)) return false
    if (filters.gradings.size && !filters.gradings.has(e.grading ?? 'Ungraded')) return false
    if (filters.handling.size && !filters.handling.has(e.handlingCode ?? '')) return false
    if (filters.from && e.to && e.to < filters.from) return false
    if (filters.to && e.from && e.from > filters.to) return false
    if (filters.on && ((e.from && e.from > filters.on) || (e.to && e.to < filters.on))) return false
    return true
  }

  function computeVisible() {
    visibleEdges = new Set()
    visibleNodes = new Set()
    for (const [id, e] of edges) {
      if (!edgeShown(e)) continue
      visibleEdges.add(id)
      visibleNodes.add(e.source)
      visibleNodes.add(e.target)
    }
    for (const id of starts) if (graph.hasNode(id)) visibleNodes.add(id)
  }

  function measureOf(id) {
    const m = nodes.get(id)?.measures
    if (!m) return 0
    return sizeBy === 'community' ? m.degree : m[sizeBy] ?? 0
  }

  /** Sizes by the chosen measure and colours by its fifths (or by community), over what is shown. */
  function applyMeasure() {
    const values = [...visibleNodes].map(measureOf).sort((a, b) => a - b)
    const max = values.length ? values[values.length - 1] : 0
    const cut = [1, 2, 3, 4].map((k) => values[Math.floor((values.length * k) / 5)] ?? max)
    style.clear()
    for (const id of visibleNodes) {
      const v = measureOf(id)
      const size = 3 + 12 * Math.sqrt(max > 0 ? v / max : 0)
      let color
      if (sizeBy === 'community') {
        const c = nodes.get(id)?.measures?.community ?? -1
        color = c >= 0 && c < CATEGORICAL.length ? CATEGORICAL[c] : '#505a5f'
      } else {
        const band = cut.filter((c) => v > c).length
        color = SEQUENTIAL[Math.min(band, SEQUENTIAL.length - 1)]
      }
      style.set(id, { size, color })
    }
    drawLegend(max, cut)
  }

  function drawLegend(max, cut) {
    const legend = $('chart-legend')
    legend.replaceChildren()
    const item = (colour, label) => {
      const row = document.createElement('div')
      row.className = 'achilles-chart-legend__item govuk-body-s'
      const swatch = document.createElement('span')
      swatch.className = 'achilles-chart-legend__swatch'
      swatch.style.backgroundColor = colour
      row.append(swatch, text('span', label))
      legend.append(row)
    }
    legend.append(text('p', sizeBy === 'community' ? 'Node colour: community (Louvain); size: degree.' : `Node size and colour: ${MEASURE_LABELS[sizeBy].toLowerCase()}, darker is higher.`, 'govuk-body-s'))
    if (sizeBy === 'community') {
      const seen = new Set([...visibleNodes].map((id) => nodes.get(id)?.measures?.community).filter((c) => c !== undefined))
      for (const c of [...seen].sort((a, b) => a - b).slice(0, CATEGORICAL.length)) item(CATEGORICAL[c] ?? '#505a5f', `Community ${c + 1}`)
      if (seen.size > CATEGORICAL.length) item('#505a5f', 'Other communities')
    } else {
      const format = (v) => (sizeBy === 'degree' ? String(Math.round(v)) : v.toFixed(3))
      const bounds = [0, ...cut, max]
      for (let i = 0; i < SEQUENTIAL.length; i++) item(SEQUENTIAL[i], `${format(bounds[i])} to ${format(bounds[i + 1])}`)
    }
    legend.append(text('p', 'Links: red is handling code C (conditions apply), grey is P, light grey has no code. Arrows show direction.', 'govuk-body-s'))
  }

  function setStatus(state, message) {
    statusLine.dataset.state = state
    statusLine.textContent = message
  }

  function refreshAll() {
    buildFilterChoices()
    buildTimeline()
    refreshView()
    renderer.setSetting('enableEdgeEvents', edges.size <= EDGE_EVENTS_LIMIT)
  }

  function refreshView() {
    computeVisible()
    applyMeasure()
    renderer.refresh()
    statusLine.dataset.nodes = String(visibleNodes.size)
    statusLine.dataset.edges = String(visibleEdges.size)
    const total = nodes.size !== visibleNodes.size || edges.size !== visibleEdges.size ? ` (of ${plural(nodes.size, 'fetched', 'fetched')}, ${plural(edges.size, 'link', 'links')})` : ''
    setStatus('ready', `${plural(visibleNodes.size, 'person or thing', 'people and things')}, ${plural(visibleEdges.size, 'link', 'links')} shown${total}`)
    buildTable()
    buildChooser()
    showSelection()
  }

  function checkbox(containerId, name, value, label, checked) {
    const id = `${containerId}-${value.replace(/[^A-Za-z0-9_-]/g, '_')}`
    const item = document.createElement('div')
    item.className = 'govuk-checkboxes__item'
    const input = document.createElement('input')
    Object.assign(input, { className: 'govuk-checkboxes__input', id, name, type: 'checkbox', value, checked })
    const lab = text('label', label, 'govuk-label govuk-checkboxes__label')
    lab.htmlFor = id
    item.append(input, lab)
    return item
  }

  function buildFilterChoices() {
    const typeCounts = new Map()
    const gradingCounts = new Map()
    for (const e of edges.values()) {
      typeCounts.set(e.type, (typeCounts.get(e.type) ?? 0) + 1)
      const g = e.grading ?? 'Ungraded'
      gradingCounts.set(g, (gradingCounts.get(g) ?? 0) + 1)
    }
    $('filter-types').replaceChildren(...[...typeCounts].sort((a, b) => a[0].localeCompare(b[0])).map(([t, n]) => checkbox('filter-types', 'types', t, `${linkTypeLabels.get(t) ?? t} (${n})`, filters.types.has(t))))
    $('filter-gradings').replaceChildren(...[...gradingCounts].sort((a, b) => a[0].localeCompare(b[0])).map(([g, n]) => checkbox('filter-gradings', 'gradings', g, `${g} (${n})`, filters.gradings.has(g))))
  }

  function buildTimeline() {
    const all = new Set()
    for (const e of edges.values()) {
      if (e.from) all.add(e.from)
      if (e.to) all.add(e.to)
    }
    timelineDates = [...all].sort()
    const slider = $('timeline')
    slider.max = String(timelineDates.length)
    const at = filters.on ? timelineDates.indexOf(filters.on) : -1
    slider.value = String(at >= 0 ? at : timelineDates.length)
    slider.disabled = timelineDates.length === 0
    showTimeline()
  }

  function showTimeline() {
    const i = Number($('timeline').value)
    filters.on = i < timelineDates.length ? timelineDates[i] : null
    const label = filters.on ? `Links active on ${filters.on}` : timelineDates.length ? 'All dates' : 'No link has dates'
    $('timeline-value').textContent = label
    $('timeline').setAttribute('aria-valuetext', label)
  }

  const labelOf = (id) => nodes.get(id)?.label ?? id

  function buildTable() {
    const body = document.querySelector('#chart-links tbody')
    const rows = []
    let n = 0
    for (const id of visibleEdges) {
      if (n++ >= TABLE_LIMIT) break
      const e = edges.get(id)
      const tr = document.createElement('tr')
      tr.className = 'govuk-table__row'
      tr.dataset.edge = id
      for (const value of [labelOf(e.source), labelOf(e.target), linkTypeLabels.get(e.type) ?? e.type, dates(e), e.grading ?? 'Ungraded', handlingText(e)]) tr.append(text('td', value, 'govuk-table__cell'))
      rows.push(tr)
    }
    body.replaceChildren(...rows)
    $('chart-links-note').textContent = visibleEdges.size > TABLE_LIMIT
      ? `The first ${TABLE_LIMIT.toLocaleString('en-GB')} of ${plural(visibleEdges.size, 'link', 'links')} shown; the list view has them all.`
      : `${plural(visibleEdges.size, 'link', 'links')}, each with its grading and handling conditions.`
  }

  function buildChooser() {
    const select = $('chart-node')
    const keep = selected?.kind === 'node' ? selected.id : ''
    const chosen = [...visibleNodes].sort((a, b) => measureOf(b) - measureOf(a)).slice(0, CHOOSER_LIMIT).sort((a, b) => labelOf(a).localeCompare(labelOf(b)))
    const options = [new Option('Choose…', '')]
    for (const id of chosen) options.push(new Option(`${labelOf(id)} (${nodes.get(id)?.kind ?? 'Node'})`, id, false, id === keep))
    select.replaceChildren(...options)
  }

  function definitionList(pairs) {
    const dl = document.createElement('dl')
    dl.className = 'govuk-summary-list govuk-summary-list--no-border govuk-!-font-size-16'
    for (const [k, v] of pairs) {
      const row = document.createElement('div')
      row.className = 'govuk-summary-list__row'
      row.append(text('dt', k, 'govuk-summary-list__key'), text('dd', v, 'govuk-summary-list__value'))
      dl.append(row)
    }
    return dl
  }

  function edgeDetails(e) {
    return [
      ['Link', `${labelOf(e.source)} ${e.directed ? '→' : '–'} ${labelOf(e.target)}`],
      ['Type', linkTypeLabels.get(e.type) ?? e.type],
      ['Dates', dates(e)],
      ['Grading', e.grading ?? 'Ungraded'],
      ['Handling', handlingText(e)],
      ['Source records', String(e.sources?.length ?? 0)],
    ]
  }

  function showSelection(hoverEdge) {
    const panel = $('chart-selection')
    const expandButton = $('chart-expand')
    const unpinButton = $('chart-unpin')
    const id = selected?.kind === 'node' && graph.hasNode(selected.id) ? selected.id : null
    expandButton.disabled = !id
    unpinButton.disabled = !id || !pinned.has(id)
    const edgeId = hoverEdge ?? (selected?.kind === 'edge' ? selected.id : null)
    if (edgeId && edges.has(edgeId)) {
      panel.replaceChildren(text('h3', 'Link', 'govuk-heading-s'), definitionList(edgeDetails(edges.get(edgeId))))
      return
    }
    if (!id) {
      panel.replaceChildren(text('p', 'Nothing selected. Choose a node or a link on the chart, or from the list below.', 'govuk-body-s'))
      return
    }
    const node = nodes.get(id)
    const m = node?.measures ?? {}
    panel.replaceChildren(
      text('h3', node?.label ?? id, 'govuk-heading-s'),
      definitionList([
        ['Kind', node?.kind ?? 'Node'],
        ['Degree', String(m.degree ?? '')],
        ['Betweenness', m.betweenness !== undefined ? m.betweenness.toFixed(3) : ''],
        ['PageRank', m.pagerank !== undefined ? m.pagerank.toFixed(4) : ''],
        ['Community', m.community !== undefined ? String(m.community + 1) : ''],
        ['Pinned', pinned.has(id) ? 'Yes' : 'No'],
      ]),
    )
    const links = graph.edges(id).filter((e) => visibleEdges.has(e)).slice(0, 20)
    if (links.length) {
      panel.append(text('h4', 'Its links shown', 'govuk-heading-s'))
      const list = document.createElement('ul')
      list.className = 'govuk-list govuk-body-s'
      for (const linkId of links) {
        const e = edges.get(linkId)
        const other = e.source === id ? e.target : e.source
        list.append(text('li', `${linkTypeLabels.get(e.type) ?? e.type} – ${labelOf(other)}; ${e.grading ?? 'ungraded'}; ${handlingText(e)}`))
      }
      panel.append(list)
    }
  }

  function select(next) {
    selected = next
    if (next?.kind === 'node') $('chart-node').value = next.id
    showSelection()
    renderer.refresh({ skipIndexation: true })
  }

  // ------------------------------------------------------------------------------------------
  // Interaction: select, expand, drag to pin.

  let dragged = null
  let moved = false
  renderer.on('clickNode', ({ node }) => select({ kind: 'node', id: node }))
  renderer.on('clickEdge', ({ edge }) => select({ kind: 'edge', id: edge }))
  renderer.on('clickStage', () => select(null))
  renderer.on('enterEdge', ({ edge }) => showSelection(edge))
  renderer.on('leaveEdge', () => showSelection())
  renderer.on('doubleClickNode', (event) => {
    event.preventSigmaDefault()
    expand(event.node)
  })
  renderer.on('downNode', ({ node }) => {
    dragged = node
    moved = false
    if (!renderer.getCustomBBox()) renderer.setCustomBBox(renderer.getBBox())
  })
  renderer.on('moveBody', ({ event }) => {
    if (!dragged) return
    const p = renderer.viewportToGraph(event)
    graph.mergeNodeAttributes(dragged, { x: p.x, y: p.y })
    moved = true
    event.preventSigmaDefault()
    event.original.preventDefault()
    event.original.stopPropagation()
  })
  const drop = () => {
    if (dragged && moved) {
      pinned.add(dragged)
      pinnedAt.set(dragged, [graph.getNodeAttribute(dragged, 'x'), graph.getNodeAttribute(dragged, 'y')])
      select({ kind: 'node', id: dragged })
    }
    dragged = null
  }
  renderer.on('upNode', drop)
  renderer.on('upStage', drop)

  $('chart-node').addEventListener('change', (e) => select(e.target.value ? { kind: 'node', id: e.target.value } : null))
  $('chart-expand').addEventListener('click', () => selected?.kind === 'node' && expand(selected.id))
  $('chart-unpin').addEventListener('click', () => {
    if (selected?.kind !== 'node') return
    pinned.delete(selected.id)
    pinnedAt.delete(selected.id)
    select(selected)
    renderer.refresh()
  })
  $('chart-layout').addEventListener('click', () => layOut())
  $('chart-fit').addEventListener('click', () => {
    renderer.setCustomBBox(null)
    renderer.getCamera().animatedReset()
  })

  const filterForm = $('chart-filters')
  filterForm.addEventListener('submit', (e) => e.preventDefault())
  filterForm.addEventListener('change', (e) => {
    const target = e.target
    if (target.name === 'types' || target.name === 'gradings' || target.name === 'handling') {
      const set = filters[target.name]
      if (target.checked) set.add(target.value)
      else set.delete(target.value)
    } else if (target.name === 'from' || target.name === 'to') {
      const value = target.value.trim()
      if (value && !/^\d{4}-\d{2}-\d{2}$/.test(value)) return showError(`Links ${target.name} must be a date written as YYYY-MM-DD`)
      clearError()
      filters[target.name] = value
    } else if (target.name === 'sizeBy') {
      sizeBy = target.value
    } else if (target.name === 'timeline') {
      showTimeline()
    } else return
    refreshView()
  })
  $('timeline').addEventListener('input', () => {
    showTimeline()
    refreshView()
  })
  $('chart-refetch').addEventListener('click', () => refetch())
  $('chart-clear').addEventListener('click', () => {
    Object.assign(filters, { from: '', to: '', types: new Set(), gradings: new Set(), handling: new Set(), on: null })
    $('filter-from').value = ''
    $('filter-to').value = ''
    for (const box of document.querySelectorAll('#filter-handling input')) box.checked = false
    refreshAll()
  })

  // ------------------------------------------------------------------------------------------
  // Saving.

  $('chart-save').addEventListener('submit', async (e) => {
    e.preventDefault()
    clearError()
    const pins = {}
    for (const id of pinned) if (graph.hasNode(id)) pins[id] = [graph.getNodeAttribute(id, 'x'), graph.getNodeAttribute(id, 'y')]
    const body = {
      title: $('chart-title').value,
      start: config.start,
      hops: Number($('filter-hops').value) || config.hops,
      filters: {
        from: filters.from || null,
        to: filters.to || null,
        types: [...filters.types],
        gradings: [...filters.gradings],
        handling: [...filters.handling],
      },
      expanded: [...expanded],
      pinned: pins,
      sizeBy,
      sharingScope: $('chart-scope').value,
    }
    const response = await fetch(config.chartsUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-csrf-token': csrfToken() },
      credentials: 'same-origin',
      body: JSON.stringify(body),
    })
    const answer = await response.json().catch(() => ({}))
    if (!response.ok) return showError(answer.errors?.map((i) => i.message).join('. ') || answer.detail || `The chart could not be saved (${response.status})`)
    const done = $('chart-saved')
    done.replaceChildren(text('span', `Saved "${body.title.trim()}". `))
    const open = text('a', 'Open the saved chart', 'govuk-link')
    open.href = answer.url
    const list = text('a', 'your saved charts', 'govuk-link')
    list.href = '/network/charts'
    done.append(open, text('span', ', or see '), list, text('span', '.'))
    done.hidden = false
  })

  load(false)
}
