#!/usr/bin/env node
// A process of its own that runs `kubectl … get <resource> --watch -o json` and stamps each object
// with ITS OWN receive time, so kubectl's side of the live comparison is not delayed when the bench
// process (which runs our watches, our fold and the diagram host) is busy. Before this, kubectl's
// output was stamped in the bench's event loop: whenever we blocked, kubectl looked later too.
//
// Usage: node kubectl-stamp.mjs <kubectl> [args…]. Writes one JSON line per object to stdout,
// {"at": <epoch ms, µs resolution>, "kind", "rv"}; answers each "ping" line on stdin with
// {"pong": <epoch ms>} (the bench measures the offset between the two clocks with it).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

const now = () => performance.timeOrigin + performance.now();
const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: kubectl-stamp.mjs <kubectl> [args…]');
  process.exit(2);
}
const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
const out = (o) => process.stdout.write(`${JSON.stringify(o)}\n`);

// Documents split by brace depth (strings and escapes respected); stamped when the chunk completing
// one arrives.
let depth = 0;
let inString = false;
let escaped = false;
let buf = '';
child.stdout.setEncoding('utf8');
child.stdout.on('data', (chunk) => {
  const at = now();
  for (const c of chunk) {
    if (depth > 0) buf += c;
    if (inString) {
      if (escaped) escaped = false;
      else if (c === '\\') escaped = true;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth === 0) buf = '{';
      depth++;
    } else if (c === '}') {
      depth--;
      if (depth === 0) {
        try {
          const o = JSON.parse(buf);
          out({ at, kind: String(o.kind ?? ''), rv: o.metadata?.resourceVersion ?? '' });
        } catch {
          // not JSON (a warning line): ignored
        }
        buf = '';
      }
    }
  }
});

createInterface({ input: process.stdin }).on('line', (l) => {
  if (l.trim() === 'ping') out({ pong: now() });
});
process.stdin.on('end', () => child.kill('SIGTERM'));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => child.kill('SIGTERM'));
child.on('close', (code) => process.exit(code ?? 0));
