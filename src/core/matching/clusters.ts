// Clustering linked records: every record joined to another by a link above the threshold, directly
// or through others, is judged one person or business (connected components, by union-find).

/** A cluster number for every record: the smallest index in its cluster, so numbering is stable. */
export function connectedClusters(size: number, links: Iterable<readonly [number, number]>): Int32Array {
  const parent = new Int32Array(size)
  for (let i = 0; i < size; i++) parent[i] = i
  const find = (x: number): number => {
    let root = x
    while (parent[root] !== root) root = parent[root]!
    // Path compression keeps later finds short.
    while (parent[x] !== root) {
      const next = parent[x]!
      parent[x] = root
      x = next
    }
    return root
  }
  for (const [a, b] of links) {
    const ra = find(a)
    const rb = find(b)
    if (ra === rb) continue
    if (ra < rb) parent[rb] = ra
    else parent[ra] = rb
  }
  const cluster = new Int32Array(size)
  for (let i = 0; i < size; i++) cluster[i] = find(i)
  return cluster
}
