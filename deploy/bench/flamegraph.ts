// A flame graph (SVG) of a V8 CPU profile, e.g. of the engine under the commands benchmark:
//   BENCH_PROFILE=/tmp/prof npm run bench commands && npx tsx deploy/bench/flamegraph.ts /tmp/prof/*.cpuprofile out.svg
// Frames are merged by function and file (package for node_modules), widths are CPU time,
// idle time is left out. Self-contained: no viewer needed, the file tool and browsers show it.
import { readFileSync, writeFileSync } from 'node:fs';

type Frame = { functionName: string; url: string; lineNumber: number };
type ProfileNode = { id: number; callFrame: Frame; children?: number[] };
type Profile = { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
type Tree = { name: string; time: number; children: Map<string, Tree> };

export function frameName(frame: Frame): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(frame.url)?.[1];
  const file = pkg ?? frame.url.replace(/^.*\/work\/[^/]+\//, '').replace(/^file:\/\//, '');
  return `${frame.functionName || '(anonymous)'}${file ? ` ${file}` : ''}`;
}

/** Samples folded into a tree of call paths (root first), with CPU time per path. */
export function foldProfile(profile: Profile): Tree {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const root: Tree = { name: 'all', time: 0, children: new Map() };
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node || ['(idle)', '(program)', '(root)'].includes(node.callFrame.functionName)) return;
    const path: string[] = [];
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!.callFrame;
      if (frame.functionName !== '(root)') path.unshift(frameName(frame));
    }
    const dt = profile.timeDeltas[i] ?? 0;
    root.time += dt;
    let at = root;
    for (const name of path) {
      let next = at.children.get(name);
      if (!next) at.children.set(name, (next = { name, time: 0, children: new Map() }));
      next.time += dt;
      at = next;
    }
  });
  return root;
}

const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function flameGraphSvg(tree: Tree, title: string, width = 1600): string {
  const rowHeight = 16;
  const rects: string[] = [];
  let depth = 0;
  const colour = (name: string) => {
    if (name.includes('@prisma')) return '#e8885a';
    if (/\bpg\b|pg-protocol|pg-pool|adapter-pg/.test(name)) return '#e0b44a';
    if (/writev|writeBuffer|writeUtf8|read/.test(name)) return '#c9c9c9';
    if (/engine|metadata|contracts|connectors/.test(name)) return '#6aa7d8';
    if (/fastify|ajv|fast-json|jose/.test(name)) return '#8cc68c';
    return '#d8a3d8';
  };
  const walk = (node: Tree, x: number, level: number) => {
    depth = Math.max(depth, level);
    const w = (node.time / tree.time) * width;
    if (w < 0.5) return;
    const label = w > 40 ? escape(node.name).slice(0, Math.floor(w / 6.5)) : '';
    const pct = ((100 * node.time) / tree.time).toFixed(1);
    rects.push(`<g><title>${escape(node.name)} (${pct} %)</title><rect x="${x.toFixed(1)}" y="${level * rowHeight + 24}" width="${w.toFixed(1)}" height="${rowHeight - 1}" fill="${colour(node.name)}"/>` +
      (label ? `<text x="${(x + 3).toFixed(1)}" y="${level * rowHeight + 36}">${label}</text>` : '') + '</g>');
    let cx = x;
    for (const child of [...node.children.values()].sort((a, b) => b.time - a.time)) {
      walk(child, cx, level + 1);
      cx += (child.time / tree.time) * width;
    }
  };
  walk(tree, 0, 0);
  const height = (depth + 1) * rowHeight + 40;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="monospace" font-size="11">` +
    `<rect width="100%" height="100%" fill="white"/><text x="4" y="16" font-size="13">${escape(title)}</text>${rects.join('')}</svg>\n`;
}

if (process.argv[1]?.endsWith('flamegraph.ts')) {
  const [input, output, ...title] = process.argv.slice(2);
  if (!input || !output) {
    console.error('usage: tsx deploy/bench/flamegraph.ts <profile.cpuprofile> <out.svg> [title]');
    process.exit(2);
  }
  const tree = foldProfile(JSON.parse(readFileSync(input, 'utf8')) as Profile);
  writeFileSync(output, flameGraphSvg(tree, title.join(' ') || `CPU profile ${input} (idle excluded, ${(tree.time / 1e6).toFixed(1)} s)`));
  console.log(`wrote ${output}`);
}
