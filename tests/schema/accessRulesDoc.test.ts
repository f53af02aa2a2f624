import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  formatAccessRulesMarkdown,
  readAccessRules,
} from '../../lib/records/access/index.js';

const read = (file: string) =>
  readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');

describe('docs/access-rules.md', () => {
  it('is what the committed supergraph.graphql says (run `npm run access-rules` and commit if not)', () => {
    const expected = formatAccessRulesMarkdown(
      readAccessRules(read('supergraph.graphql')).fields,
    );
    expect(read('docs/access-rules.md')).toBe(expected);
  });
});
