/**
 * End-to-end: what internal apps need from the city graph (issue 18), against
 * the whole city started as separate services: object identification, errors
 * of bad arguments that cost their own field only, and
 * the real client libraries (Apollo Client, urql and its Graphcache, Relay, graphql-request, the
 * GraphQL Code Generator client preset) as apps use them.
 */
import { afterAll, beforeAll } from 'vitest';
import { defineArgumentErrorScenarios } from './argumentErrors.js';
import { startCityGraph, type CityGraph } from './cityGraph.js';
import { defineClientLibraryScenarios } from './clientLibraries.js';
import { defineNodeScenarios } from './nodes.js';

let graph: CityGraph;

beforeAll(async () => {
  graph = await startCityGraph({
    gatewayEnv: { CORS_ORIGINS: 'https://portal.marseille.fr' },
  });
});
afterAll(async () => {
  await graph?.stop();
});

defineNodeScenarios(() => graph);
defineClientLibraryScenarios(() => graph);
defineArgumentErrorScenarios(() => graph);
