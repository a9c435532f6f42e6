// The shape every network part shares: the builder in src/modules/network produces it from the
// database, parseEdgeList produces it from an analyst's CSV, and the measures, the chart and the
// exports consume it. Node ids for database-built networks are `entity:<uuid>` and `group:<uuid>`.

export type NodeKind = 'Person' | 'Company' | 'Organization' | 'Address' | 'Vehicle' | 'Phone' | 'BankAccount' | 'Group' | 'Node'

export type NetworkNode = { id: string; kind: NodeKind; label: string; attributes?: Record<string, string | number | boolean | null> }

export type EdgeSourceKind = 'entity_link' | 'membership' | 'intelligence' | 'match' | 'shared_address' | 'shared_phone' | 'shared_vehicle' | 'edge_list'

/** The record an edge was drawn from, so an analyst can go back to it. */
export type EdgeSource = { kind: EdgeSourceKind; id: string }

export type NetworkEdge = {
  id: string
  source: string
  target: string
  type: string
  directed: boolean
  weight: number
  /** ISO dates; null when the record gives none. */
  from: string | null
  to: string | null
  sources: EdgeSource[]
  /** e.g. '1-A-1' style or the record's grading text. */
  grading: string | null
  handlingCode: 'P' | 'C' | null
  handlingConditions: string | null
}

export type Network = { nodes: NetworkNode[]; edges: NetworkEdge[] }
