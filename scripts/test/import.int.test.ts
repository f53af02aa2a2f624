import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSilentLogger } from '../../lib/runtime/logger.js';
import {
  startTestDatabase,
  type TestDatabase,
} from '../../lib/tooling/testing/testDatabase.js';
import { departmentPipeline, formatReport, importFile } from '../import.js';

const SIRENE = path.resolve(
  import.meta.dirname,
  '../../subgraphs/economy/test/fixtures/StockEtablissement_marseille_sample.csv',
);

describe('npm run import', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await startTestDatabase('import-test');
  });
  afterAll(async () => {
    await db.stop();
  });

  const run = () =>
    importFile({
      department: 'economy',
      file: SIRENE,
      pipeline: departmentPipeline(
        'economy',
        db.connection,
        createSilentLogger(),
      ),
    });

  it('imports the Marseille establishments of a SIRENE file and reports the rejected ones', async () => {
    const report = await run();
    expect(report).toMatchObject({
      file: 'StockEtablissement_marseille_sample.csv',
      read: 6,
      created: 4,
      duplicate: 0,
      rejected: { ATTRIBUTE_TYPE: 2 },
      failed: 0,
    });
    const businesses = await db.connection
      .collection('businesses')
      .find({})
      .sort({ _id: 1 })
      .toArray();
    expect(businesses.map((b) => [b._id, b['sector'], b['sizeBand']])).toEqual([
      ['eco-biz-13201-81234567600017', 'C', 'SMALL'],
      ['eco-biz-13202-82345678500018', 'J', 'MICRO'],
      ['eco-biz-13206-81234568400029', 'I', 'MICRO'],
      ['eco-biz-13208-83456789300013', 'Q', 'MEDIUM'],
    ]);
    expect(
      await db.connection.collection('ingest_quarantine').countDocuments(),
    ).toBe(2);
    expect(formatReport(report)).toContain('rejected  2 (ATTRIBUTE_TYPE 2');
  });

  it('adds nothing when run again', async () => {
    const report = await run();
    expect(report).toMatchObject({ read: 6, created: 0, duplicate: 4 });
    expect(await db.connection.collection('businesses').countDocuments()).toBe(
      4,
    );
    expect(
      await db.connection.collection('ingest_quarantine').countDocuments(),
    ).toBe(2);
  });
});
