// Counting what the product asks the apiserver, from src/cluster/http.ts setRequestLogger (one line
// per request: "METHOD /path?query", never headers or bodies).

export interface RequestCounts {
  total: number;
  watches: number;
  lists: number;
  /** Lists of a collection that is not namespaced (all namespaces, or cluster-scoped like nodes). */
  clusterWideLists: number;
  gets: number;
  nodeProxy: number;
  writes: number;
  other: number;
  clusterWide: string[];
  byPath: Record<string, number>;
}

export function emptyCounts(): RequestCounts {
  return {
    total: 0,
    watches: 0,
    lists: 0,
    clusterWideLists: 0,
    gets: 0,
    nodeProxy: 0,
    writes: 0,
    other: 0,
    clusterWide: [],
    byPath: {},
  };
}

/** Segments after /api/v1 or /apis/<group>/<version>. */
function resourceSegments(path: string): string[] | null {
  const segs = path.split('/').filter(Boolean);
  if (segs[0] === 'api' && segs[1] === 'v1') return segs.slice(2);
  if (segs[0] === 'apis' && segs.length >= 3) return segs.slice(3);
  return null;
}

export function countRequest(c: RequestCounts, line: string): void {
  c.total++;
  const [method = '', target = ''] = line.split(' ');
  const url = new URL(target, 'https://x');
  const segs = resourceSegments(url.pathname);
  const watch = url.searchParams.get('watch');
  const shape = segs
    ? segs.map((s, i) => (segs[i - 1] === 'namespaces' || (i === 1 && segs[0] === 'nodes') ? '*' : s)).join('/')
    : url.pathname;
  const key = `${method} ${shape}${watch ? ' (watch)' : ''}`;
  c.byPath[key] = (c.byPath[key] ?? 0) + 1;
  if (method !== 'GET') {
    c.writes++;
    return;
  }
  if (!segs) {
    c.other++;
    return;
  }
  if (segs.includes('proxy')) {
    c.nodeProxy++;
    return;
  }
  const namespaced = segs[0] === 'namespaces' && segs.length >= 3;
  const collection = namespaced ? segs.length === 3 : segs.length === 1;
  if (watch === '1' || watch === 'true') {
    c.watches++;
    if (!namespaced) {
      c.clusterWideLists++;
      c.clusterWide.push(`${method} ${url.pathname} (watch)`);
    }
    return;
  }
  if (!collection) {
    c.gets++;
    return;
  }
  c.lists++;
  if (!namespaced) {
    c.clusterWideLists++;
    c.clusterWide.push(`${method} ${url.pathname}`);
  }
}
