/**
 * The explorer (gateway/src/explorer): the page a browser gets at /graphql is
 * GraphiQL from the gateway's own files, makes no request to any other host,
 * offers the README's examples, and answers a query run through its UI, in
 * Debian's headless Chromium. Skips, saying why, where no browser is
 * installed (CI installs it: .ci/run).
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryEventBroker } from '../../lib/runtime/eventBroker.js';
import { EXPLORER_CSP } from '../src/explorer/explorerRoute.js';
import { startFixtureGateway, type GatewayOver } from './startGatewayOver.js';

const CHROMIUM = '/usr/bin/chromium';
const hasBrowser = existsSync(CHROMIUM);
if (!hasBrowser)
  // Said once, at collection, so a skipped run explains itself.
  process.stderr.write(
    `explorer test skipped: no browser at ${CHROMIUM} (apt-get install chromium)\n`,
  );

describe('explorer', () => {
  let fixture: GatewayOver;
  let base: string;
  const events = createMemoryEventBroker();

  beforeAll(async () => {
    fixture = await startFixtureGateway({ events });
    base = fixture.base;
  });
  afterAll(() => fixture.stop());

  it('serves the page to a browser with a same-origin-only policy', async () => {
    const response = await fetch(`${base}/graphql`, {
      headers: { accept: 'text/html' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toBe(EXPLORER_CSP);
    const html = await response.text();
    expect(html).toContain('/explorer/graphiql.js');
    expect(html).toContain('query DistrictOverview');
    // Every script and stylesheet is the gateway's own.
    for (const [, src] of html.matchAll(/(?:src|href)="([^"]+)"/g))
      expect(src).toMatch(/^\/explorer\//);
  });

  it('leaves GraphQL requests at the same URL to the graph', async () => {
    const response = await fetch(
      `${base}/graphql?query=${encodeURIComponent('{ district(code: "13202") { name } }')}`,
      { headers: { 'apollo-require-preflight': 'true' } },
    );
    expect(await response.json()).toEqual({
      data: { district: { name: 'Marseille 2e' } },
    });
  });

  it('answers 404 for a file it does not serve', async () => {
    const response = await fetch(`${base}/explorer/../../package.json`);
    expect(response.status).toBe(404);
    const other = await fetch(`${base}/explorer/secret.js`);
    expect(other.status).toBe(404);
  });

  describe.skipIf(!hasBrowser)('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
        ],
      });
    });
    afterAll(() => browser.close());

    it('runs a query through the UI, contacting no other host', async () => {
      const page = await browser.newPage({
        viewport: { width: 1400, height: 900 },
      });
      const origins = new Set<string>();
      page.on('request', (request) => {
        const url = new URL(request.url());
        if (url.protocol !== 'data:') origins.add(url.origin);
      });
      const violations: string[] = [];
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text()))
          violations.push(message.text());
      });
      await page.goto(`${base}/graphql`);
      const editor = page.locator('.graphiql-query-editor .CodeMirror');
      await editor.waitFor({ timeout: 30_000 });
      // The first tab holds the README's district overview.
      expect(
        await page.locator('.graphiql-tab').count(),
      ).toBeGreaterThanOrEqual(3);
      // A new tab, so no operation name is left over from an example.
      await page.locator('.graphiql-tab-add').click();
      await expect
        .poll(() => page.locator('.graphiql-tab').count())
        .toBeGreaterThanOrEqual(4);
      // Replace the editor's text as a user would paste it (CodeMirror's API;
      // typing would fight its bracket auto-closing).
      await page.evaluate(`document
        .querySelector('.graphiql-query-editor .CodeMirror')
        .CodeMirror.setValue('query SecondDistrict { district(code: "13202") { name } }')`);
      // GraphiQL takes the operation name from the editor after a debounce:
      // the tab is named after it once it has.
      await page
        .locator('.graphiql-tab', { hasText: 'SecondDistrict' })
        .waitFor({ timeout: 30_000 });
      await page.locator('.graphiql-execute-button').click();
      const result = page.locator('.result-window');
      await expect
        .poll(async () => result.innerText(), { timeout: 30_000 })
        .toContain('Marseille 2e');
      expect([...origins]).toEqual([base]);
      expect(violations).toEqual([]);
      await page.close();
    });

    it('runs a subscription through the UI over graphql-ws', async () => {
      const page = await browser.newPage({
        viewport: { width: 1400, height: 900 },
      });
      const sockets: string[] = [];
      page.on('websocket', (socket) => sockets.push(socket.url()));
      await page.goto(`${base}/graphql`);
      await page
        .locator('.graphiql-query-editor .CodeMirror')
        .waitFor({ timeout: 30_000 });
      await page.locator('.graphiql-tab-add').click();
      await page.evaluate(`document
        .querySelector('.graphiql-query-editor .CodeMirror')
        .CodeMirror.setValue('subscription WatchSecond { trafficChanged(district: "13202") { name } }')`);
      await page
        .locator('.graphiql-tab', { hasText: 'WatchSecond' })
        .waitFor({ timeout: 30_000 });
      await page.locator('.graphiql-execute-button').click();
      // The socket opens on the first subscription; events published before
      // the subscription is registered reach nobody, so publish until one
      // is shown.
      const result = page.locator('.result-window');
      await expect
        .poll(
          async () => {
            await events.append('mobility', [
              {
                id: `explorer-${Date.now()}`,
                department: 'mobility',
                type: 'traffic.changed',
                entity: { type: 'District', id: '13202' },
                district: '13202',
                occurredAt: new Date(),
                payload: {},
              },
            ]);
            return result.innerText();
          },
          { timeout: 30_000 },
        )
        .toContain('Marseille 2e');
      expect(sockets).toEqual([`${base.replace('http', 'ws')}/graphql`]);
      await page.close();
    });
  });
});
