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

/**
 * Best links for records left on their own: a record no link above the threshold reached joins the
 * one cluster it has a probable pair with (at least `from`), when no other cluster has one as
 * probable. A record written with few fields ("Tom Sharpe", nothing else) seldom reaches the
 * threshold, yet is plainly the Tom Sharpe already clustered; lowering the threshold instead would
 * chain different people's clusters together. A lone record only ever joins, so no two clusters merge
 * through it.
 */
export function bestLinksForLoneRecords(
  clusters: Int32Array,
  pairs: ReadonlyArray<{ left: number; right: number; probability: number; refused: boolean }>,
  from: number,
): Array<[number, number]> {
  const size = new Map<number, number>()
  for (const c of clusters) size.set(c, (size.get(c) ?? 0) + 1)
  const best = new Map<number, { partner: number; cluster: number; probability: number; rival: number }>()
  const consider = (lone: number, partner: number, probability: number) => {
    if (size.get(clusters[lone]!) !== 1) return
    const cluster = clusters[partner]!
    const b = best.get(lone)
    if (!b) best.set(lone, { partner, cluster, probability, rival: 0 })
    else if (cluster === b.cluster) {
      if (probability > b.probability) Object.assign(b, { partner, probability })
    } else if (probability > b.probability) best.set(lone, { partner, cluster, probability, rival: b.probability })
    else b.rival = Math.max(b.rival, probability)
  }
  for (const p of pairs) {
    if (p.refused || p.probability < from) continue
    consider(p.left, p.right, p.probability)
    consider(p.right, p.left, p.probability)
  }
  const links: Array<[number, number]> = []
  for (const [lone, b] of best) if (b.rival < from) links.push([lone, b.partner])
  return links
}

/**
 * Links that join clusters the evidence between them holds together as a whole: two clusters merge
 * when the mean match probability over every pair of their records (a pair never scored counting
 * as no evidence) is at least `from`, the most certain merges first (average linkage). A single pair
 * above the threshold already links; this finds the people recorded several times over, whose
 * copies each agree with the others only in part, without letting one weak pair chain two people
 * together. Clusters with a pair a reviewer said are not the same never merge.
 */
export function averageLinks(
  clusters: Int32Array,
  pairs: ReadonlyArray<{ left: number; right: number; probability: number; refused: boolean }>,
  from: number,
): Array<[number, number]> {
  const cluster = Int32Array.from(clusters)
  const members = new Map<number, number[]>()
  cluster.forEach((c, i) => {
    const list = members.get(c)
    if (list) list.push(i)
    else members.set(c, [i])
  })
  const size = (c: number) => members.get(c)!.length
  const links: Array<[number, number]> = []
  for (;;) {
    const between = new Map<string, { a: number; b: number; sum: number; refused: boolean; left: number; right: number }>()
    for (const p of pairs) {
      const x = cluster[p.left]!
      const y = cluster[p.right]!
      if (x === y) continue
      const [a, b] = x < y ? [x, y] : [y, x]
      const key = `${a}|${b}`
      const e = between.get(key)
      if (e) {
        e.sum += p.probability
        e.refused ||= p.refused
      } else between.set(key, { a, b, sum: p.probability, refused: p.refused, left: p.left, right: p.right })
    }
    const candidates = [...between.values()]
      .map((e) => ({ ...e, mean: e.sum / (size(e.a) * size(e.b)) }))
      .filter((e) => !e.refused && e.mean >= from)
      .sort((x, y) => y.mean - x.mean)
    // One merge per cluster a round: after it, the merged cluster's averages with others change.
    const merged = new Set<number>()
    for (const e of candidates) {
      if (merged.has(e.a) || merged.has(e.b)) continue
      merged.add(e.a)
      merged.add(e.b)
      links.push([e.left, e.right])
      const moving = members.get(e.b)!
      for (const i of moving) cluster[i] = e.a
      members.get(e.a)!.push(...moving)
      members.delete(e.b)
    }
    if (merged.size === 0) return links
  }
}
