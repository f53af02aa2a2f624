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

  describe('GTFS', () => {
    // Its own database: one connection holds one department's models.
    let gtfsDb: TestDatabase;
    beforeAll(async () => {
      gtfsDb = await startTestDatabase('import-gtfs-test');
    });
    afterAll(async () => {
      await gtfsDb.stop();
    });
    const gtfs = (name: string) =>
      path.resolve(
        import.meta.dirname,
        '../../subgraphs/mobility/test/fixtures/gtfs',
        name,
      );
    const runGtfs = (name: string) =>
      importFile({
        department: 'mobility',
        file: gtfs(name),
        pipeline: departmentPipeline(
          'mobility',
          gtfsDb.connection,
          createSilentLogger(),
        ),
      });

    it('imports the stops and stations of stops.txt into their district, and rejects what is not in Marseille', async () => {
      const report = await runGtfs('stops.txt');
      // The entrance (location_type 2) is not a stop: not read.
      expect(report).toMatchObject({
        read: 6,
        created: 3,
        duplicate: 0,
        rejected: { OUTSIDE_CITY: 2, INVALID_LOCATION: 1 },
        failed: 0,
      });
      const stops = await gtfsDb.connection
        .collection('transit_stops')
        .find({})
        .sort({ _id: 1 })
        .toArray();
      expect(stops.map((s) => [s._id, s['name'], s['district']])).toEqual([
        ['gtfs-stop-STC', 'Gare Saint-Charles', '13201'],
        ['gtfs-stop-VXP', 'Vieux-Port', expect.stringMatching(/^1320[127]$/)],
        [
          'gtfs-stop-VXP-1',
          'Vieux-Port quai 1',
          expect.stringMatching(/^1320[127]$/),
        ],
      ]);
      // Near-by queries find them: the 2dsphere index's point is derived.
      expect(stops[0]?.['position']).toEqual({
        type: 'Point',
        coordinates: [5.3806, 43.3027],
      });
      expect(formatReport(report)).toContain('rejected  3');
    });

    it('imports the routes of routes.txt the city runs, and a re-run of both files adds nothing', async () => {
      const report = await runGtfs('routes.txt');
      expect(report).toMatchObject({
        read: 4,
        created: 3,
        rejected: { ATTRIBUTE_TYPE: 1 },
      });
      const lines = await gtfsDb.connection
        .collection('transit_lines')
        .find({})
        .sort({ _id: 1 })
        .toArray();
      expect(lines.map((l) => [l._id, l['shortName'], l['mode']])).toEqual([
        ['gtfs-route-B83', '83', 'BUS'],
        ['gtfs-route-M1X', 'M1', 'METRO'],
        ['gtfs-route-T9', 'T9', 'TRAM'],
      ]);
      expect(await runGtfs('routes.txt')).toMatchObject({
        created: 0,
        duplicate: 3,
      });
      expect(await runGtfs('stops.txt')).toMatchObject({
        created: 0,
        duplicate: 3,
      });
    });

    it('refuses a GTFS file for another department than mobility', async () => {
      await expect(
        importFile({
          department: 'economy',
          file: gtfs('stops.txt'),
          pipeline: departmentPipeline(
            'mobility',
            gtfsDb.connection,
            createSilentLogger(),
          ),
        }),
      ).rejects.toThrow(/GTFS files .* are transit \(mobility\)/);
    });
  });
});
