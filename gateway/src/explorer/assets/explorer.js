// The explorer's start-up script, served as a file so the page's
// Content-Security-Policy can forbid inline scripts. Runs in the browser with
// the UMD builds of React, ReactDOM, graphql-ws and GraphiQL loaded before it
// (all from the gateway's own node_modules: no other host is contacted).
/* global document, window, URL, React, ReactDOM, GraphiQL, graphqlWs */
(function start() {
  const config = JSON.parse(
    document.getElementById('explorer-config').textContent,
  );
  const httpUrl = new URL(config.endpoint, window.location.href);
  const wsUrl = new URL(httpUrl);
  wsUrl.protocol = httpUrl.protocol === 'https:' ? 'wss:' : 'ws:';
  const fetcher = GraphiQL.createFetcher({
    url: httpUrl.href,
    // Lazy: the socket opens on the first subscription only.
    wsClient: graphqlWs.createClient({ url: wsUrl.href, lazy: true }),
    headers: { 'apollographql-client-name': 'city-graph-explorer' },
  });
  const root = ReactDOM.createRoot(document.getElementById('explorer'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultEditorToolsVisibility: 'headers',
      defaultHeaders: config.defaultHeaders,
      defaultTabs: config.examples.map((example) => ({
        query: example.query,
        headers: config.defaultHeaders,
      })),
      isHeadersEditorEnabled: true,
      shouldPersistHeaders: false,
    }),
  );
})();
