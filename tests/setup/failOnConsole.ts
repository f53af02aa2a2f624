/**
 * Test support: a test fails if it writes to the console ([AS]
 * jest.setup.js). Code under test takes a logger instead; a console line in
 * a test run is either noise or a message someone should have handled.
 */
import { afterEach } from 'vitest';

const METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;
const written: string[] = [];

for (const method of METHODS) {
  console[method] = (...args: unknown[]) => {
    written.push(`console.${method}: ${args.map(String).join(' ')}`);
  };
}

afterEach(() => {
  if (written.length === 0) return;
  const lines = written.splice(0);
  throw new Error(
    `The test wrote to the console (pass a logger instead):\n${lines.join('\n')}`,
  );
});
