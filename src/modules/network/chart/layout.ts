import { createRequire } from 'node:module'
import { UndirectedGraph } from 'graphology'
import type { ForceAtlas2Settings } from 'graphology-layout-forceatlas2'

// The package is CommonJS whose types describe an ES default export that NodeNext cannot reach;
// required, it is the layout function with its helpers.
type ForceAtlas2 = {
  assign(graph: UndirectedGraph, params: { iterations: number; settings: ForceAtlas2Settings }): void
  inferSettings(graph: UndirectedGraph): ForceAtlas2Settings
}
const forceAtlas2 = createRequire(import.meta.url)('graphology-layout-forceatlas2') as ForceAtlas2

// Lays out a link chart with ForceAtlas2 on the server. The layout package has no browser build, and
// a force layout of 10,000 nodes on the page's main thread would freeze the chart while it runs; here
// it runs with Barnes-Hut in Node, sees only node ids and pairs of indexes (no personal data), and
// pinned nodes keep their places (ForceAtlas2's `fixed` attribute).

export type LayoutRequest = {
  nodes: readonly string[]
  /** Flat pairs of indexes into nodes: source, target, source, target… */
  edges: readonly number[]
  positions: Readonly<Record<string, readonly [number, number]>>
  pinned: readonly string[]
  iterations?: number | undefined
}
export type LayoutResult = { positions: Record<string, [number, number]>; iterations: number }

/**
 * Iterations so a layout costs about the same at any size: 300 for a few hundred nodes, 15 for
 * 10,000 (a few seconds with Barnes-Hut, bench/networkChart.ts). The chart is drawn before the
 * layout answers, and "Lay out" again continues from where the last pass left it.
 */
export function defaultIterations(nodes: number): number {
  return Math.max(10, Math.min(300, Math.floor(150_000 / Math.max(1, nodes))))
}

/** A start position from the node's id (FNV-1a): the same chart starts the same way every time. */
function seededPoint(id: string, radius: number): [number, number] {
  let h = 0x811c9dc5
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193)
  const a = ((h >>> 0) % 100_000) / 100_000
  h = Math.imul(h ^ 0x9e3779b9, 0x01000193)
  const r = Math.sqrt(((h >>> 0) % 100_000) / 100_000)
  return [Math.cos(a * 2 * Math.PI) * r * radius, Math.sin(a * 2 * Math.PI) * r * radius]
}

export function layOut(request: LayoutRequest): LayoutResult {
  const graph = new UndirectedGraph<{ x: number; y: number; fixed: boolean }>({ allowSelfLoops: false })
  const pinned = new Set(request.pinned)
  const radius = Math.max(10, Math.sqrt(request.nodes.length) * 10)
  for (const id of request.nodes) {
    if (graph.hasNode(id)) continue
    const [x, y] = request.positions[id] ?? seededPoint(id, radius)
    graph.addNode(id, { x, y, fixed: pinned.has(id) && request.positions[id] !== undefined })
  }
  for (let i = 0; i + 1 < request.edges.length; i += 2) {
    const source = request.nodes[request.edges[i]!]
    const target = request.nodes[request.edges[i + 1]!]
    if (source === undefined || target === undefined || source === target) continue
    if (!graph.hasEdge(source, target)) graph.addEdge(source, target)
  }
  const iterations = request.iterations ?? defaultIterations(graph.order)
  if (graph.size > 0) {
    const settings = { ...forceAtlas2.inferSettings(graph), barnesHutOptimize: graph.order > 1_000 }
    forceAtlas2.assign(graph, { iterations, settings })
  }
  const positions: Record<string, [number, number]> = {}
  graph.forEachNode((id, attributes) => {
    positions[id] = [Math.round(attributes.x * 100) / 100, Math.round(attributes.y * 100) / 100]
  })
  return { positions, iterations }
}
