/**
 * The explorer opens the README's examples: the two lists stay the same, so
 * what a new user reads is what the explorer offers.
 */
import { readFileSync } from 'node:fs';
import { parse, print } from 'graphql';
import { describe, expect, it } from 'vitest';
import { EXPLORER_EXAMPLES } from '../src/explorer/examples.js';

const README = readFileSync(
  new URL('../../README.md', import.meta.url),
  'utf8',
);

describe('explorer examples', () => {
  // Compared as GraphQL (parsed and printed), not as text: formatting may differ.
  const normalize = (query: string) => print(parse(query));

  it('are the README’s query examples, in its order', () => {
    const blocks = [...README.matchAll(/```graphql\n([\s\S]*?)```/g)]
      .map((match) => match[1] ?? '')
      // Subscriptions are run from the explorer too, but watched over SSE in the README.
      .filter((block) => !block.trim().startsWith('subscription'))
      .map(normalize);
    expect(
      EXPLORER_EXAMPLES.map((example) => normalize(example.query)),
    ).toEqual(blocks);
  });
});
