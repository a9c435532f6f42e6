import { launchChromium, serveTestApp, signIn } from '../test/support/browser.ts'

// The link chart's first render and frame time with 10,000 nodes and 25,000 links in headless
// Chromium (SwiftShader WebGL, so a machine without a GPU: a floor, not a ceiling). The page is the
// real /network/chart with its real script; only GET /api/network is answered with a seeded synthetic
// network, so the figure is the browser's work, not the database's (bench/networkBuild.ts has that).
// Frame time is measured over 240 frames of camera pans and zooms via requestAnimationFrame.

const NODES = Number(process.env.CHART_NODES ?? 10_000)
const EDGES = Number(process.env.CHART_EDGES ?? 25_000)

function synthetic(nodes: number, edges: number) {
  let seed = 20261207
  const random = () => ((seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0) / 2 ** 32)
  const id = (i: number) => `entity:00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
  const types = ['associate', 'family', 'uses_phone', 'occupant', 'co_mentioned']
  const list = Array.from({ length: nodes }, (_, i) => ({
    id: id(i), kind: i % 7 === 0 ? 'Phone' : 'Person', label: `Person ${i}`,
    measures: { node: id(i), degree: 0, weightedDegree: 0, betweenness: random() ** 4, pagerank: random() / nodes, eigenvector: 0, clustering: 0, community: Math.floor(random() * 12) },
  }))
  const out = []
  for (let e = 0; e < edges; e++) {
    // Preferential-ish: half the links touch the first tenth, as hubs do in real networks.
    const s = Math.floor(random() * nodes)
    const t = random() < 0.5 ? Math.floor(random() * nodes * 0.1) : Math.floor(random() * nodes)
    if (s === t) continue
    list[s]!.measures.degree++
    list[t]!.measures.degree++
    const year = 2020 + Math.floor(random() * 6)
    out.push({ id: `e${e}`, source: id(s), target: id(t), type: types[e % types.length], directed: false, weight: 1, from: `${year}-0${1 + Math.floor(random() * 9)}-01`, to: null, sources: [{ kind: 'entity_link', id: `l${e}` }], grading: ['B2P', 'C3P', null][e % 3], handlingCode: e % 10 === 0 ? 'C' : 'P', handlingConditions: e % 10 === 0 ? 'Not for onward disclosure' : null })
  }
  return { start: id(0), hops: 3, hopLimit: 3, truncated: false, nodes: list, edges: out, linkTypes: types, gradings: ['B2P', 'C3P'], dateRange: { from: '2020-01-01', to: null } }
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!

const served = await serveTestApp()
const browser = await launchChromium()
try {
  const network = JSON.stringify(synthetic(NODES, EDGES))
  const page = await (await browser.newContext({ viewport: { width: 1280, height: 1000 } })).newPage()
  page.on('crash', () => console.error('the page crashed'))
  page.on('pageerror', (e) => console.error('page error:', e.message))
  await signIn(page, served.baseUrl, 'analyst@demo.achilles.example')
  await page.route(/\/api\/network\?/, (route) => route.fulfill({ status: 200, contentType: 'application/json', body: network }))
  let layoutMs = 0
  page.on('response', async (r) => {
    if (r.url().endsWith('/api/network/layout') && r.ok()) layoutMs = (await r.json()).milliseconds
  })
  await page.goto(`${served.baseUrl}/network/chart?start=entity:00000000-0000-4000-8000-000000000000&hops=3`)
  await page.waitForSelector('#chart-status[data-state="ready"]', { timeout: 120_000 })
  const firstRenderMs = await page.evaluate(async () => Math.round(await (window as any).achillesChart.firstRender))
  const status = await page.locator('#chart-status').innerText()
  // A string, not a function: tsx would wrap the named inner function in a helper the page lacks.
  const frames = (await page.evaluate(`new Promise((resolve) => {
    const camera = window.achillesChart.renderer.getCamera()
    const times = []
    let last = performance.now()
    let i = 0
    function step(now) {
      times.push(now - last)
      last = now
      i++
      camera.setState({ x: 0.5 + 0.3 * Math.sin(i / 20), y: 0.5 + 0.3 * Math.cos(i / 25), ratio: 0.4 + 0.6 * Math.abs(Math.sin(i / 40)) })
      if (i < 240) requestAnimationFrame(step)
      else resolve(times.slice(5))
    }
    requestAnimationFrame(step)
  })`)) as number[]
  await page.waitForSelector('#chart[data-layout]', { timeout: 120_000 }).catch(() => undefined)
  const sorted = [...frames].sort((a, b) => a - b)
  const result = {
    nodes: NODES, edges: EDGES, status,
    firstRenderMsFromNavigation: firstRenderMs,
    frameMs: { median: Math.round(quantile(sorted, 0.5) * 10) / 10, p95: Math.round(quantile(sorted, 0.95) * 10) / 10, frames: frames.length },
    serverLayoutMs: layoutMs,
    renderer: 'headless Chromium, SwiftShader WebGL (no GPU)',
  }
  console.log(JSON.stringify(result, null, 2))
} finally {
  await browser.close()
  await served.close()
}
