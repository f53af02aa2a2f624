import { describe, expect, it } from 'vitest';
import { createLogger } from '../../runtime/logger.js';
import { runInRequestScope } from '../../runtime/requestScope.js';

function memoryLogger() {
  const lines: string[] = [];
  const logger = createLogger({
    service: 'test',
    destination: { write: (line: string) => void lines.push(line) },
  });
  return { logger, lines: () => lines };
}

describe('createLogger', () => {
  it('names the request a line is written for, once, however the writer names it', async () => {
    const { logger, lines } = memoryLogger();
    await runInRequestScope('req-1', async () => {
      await Promise.resolve();
      logger.info('from a library');
      logger.info({ requestId: 'req-1', status: 200 }, 'http request');
      logger.child({ requestId: 'req-1' }).info('from a request logger');
    });
    logger.info('outside any request');
    expect(lines()).toHaveLength(4);
    for (const line of lines().slice(0, 3)) {
      // A key written twice would still parse: count it in the text.
      expect(line.match(/"requestId"/g)).toHaveLength(1);
      expect(JSON.parse(line)).toMatchObject({ requestId: 'req-1' });
    }
    expect(JSON.parse(lines()[3] ?? '')).not.toHaveProperty('requestId');
  });
});
