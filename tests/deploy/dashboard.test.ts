/**
 * The Grafana dashboard and the metrics docs stay true to the code: every
 * family a panel queries is documented in docs/operations.md, and every
 * documented family is one the code registers.
 */
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const dashboard = JSON.parse(
  readFileSync(path.join(ROOT, 'deploy/grafana/city-graph.json'), 'utf8'),
) as { panels: { targets: { expr: string }[] }[] };
const operations = readFileSync(path.join(ROOT, 'docs/operations.md'), 'utf8');

/** Family names in the docs' metrics table (first column). */
const documented = new Set(
  [...operations.matchAll(/^\| `([a-z_]+)` \| (counter|gauge|histogram) \|/gm)]
    .map((match) => match[1] ?? '')
    .filter(Boolean),
);

function sources(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), {
    recursive: true,
    withFileTypes: true,
  })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.ts'))
    .map((entry) =>
      readFileSync(path.join(entry.parentPath, entry.name), 'utf8'),
    );
}
const code = [
  ...sources('lib'),
  ...sources('gateway/src'),
  ...sources('subgraphs'),
].join('\n');

describe('metrics dashboard', () => {
  it('queries only documented families', () => {
    const used = new Set<string>();
    for (const panel of dashboard.panels)
      for (const target of panel.targets)
        for (const [name] of target.expr.matchAll(/\b[a-z]+_[a-z0-9_]+\b/g))
          if (name !== 'histogram_quantile')
            used.add(name.replace(/_(bucket|count|sum)$/, ''));
    const runtime = [...used].filter(
      (name) => name.startsWith('process_') || name.startsWith('nodejs_'),
    );
    const ours = [...used].filter((name) => !runtime.includes(name));
    expect(ours.length).toBeGreaterThan(5);
    for (const name of ours) expect(documented).toContain(name);
  });

  it('documents only families the code registers', () => {
    expect(documented.size).toBeGreaterThan(5);
    for (const name of documented) expect(code).toContain(`'${name}'`);
  });
});
