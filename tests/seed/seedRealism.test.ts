/**
 * The seeded city looks like Marseille (issue 15, item 3): counts per district
 * follow population, sensors and lights stand on their district's roads, market
 * indicators agree with the business registry, rush hour congests some roads,
 * and every generator gives the same data twice.
 */
import { describe, expect, it } from 'vitest';
import { DISTRICTS } from '../../lib/subgraph-kit/districts.js';
import {
  apportion,
  populationOf,
  SEED_PLAN,
} from '../../lib/subgraph-kit/seedPlan.js';
import { localHour } from '../../lib/subgraph-kit/seeding.js';
import { STREETS, streetsOf } from '../../lib/subgraph-kit/streets.js';
import { generateEconomySeed } from '../../subgraphs/economy/src/seed.js';
import { generateEngagementSeed } from '../../subgraphs/engagement/src/seed.js';
import { generateEnvironmentSeed } from '../../subgraphs/environment/src/seed.js';
import { generateMobilitySeed } from '../../subgraphs/mobility/src/seed.js';

const mobility = generateMobilitySeed();
const economy = generateEconomySeed();
const environment = generateEnvironmentSeed();
const engagement = generateEngagementSeed();

/** Ranks, ties sharing their mean rank (as Spearman's coefficient wants). */
function ranks(values: readonly number[]): number[] {
  const order = values.map((v, i) => ({ v, i })).sort((a, b) => a.v - b.v);
  const out = new Array<number>(values.length).fill(0);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.v === order[i]?.v) j++;
    for (let k = i; k <= j; k++) {
      const at = order[k]?.i;
      if (at !== undefined) out[at] = (i + j) / 2 + 1;
    }
    i = j + 1;
  }
  return out;
}

function pearson(a: readonly number[], b: readonly number[]): number {
  const mean = (xs: readonly number[]) =>
    xs.reduce((s, x) => s + x, 0) / xs.length;
  const ma = mean(a);
  const mb = mean(b);
  let cov = 0;
  let va = 0;
  let vb = 0;
  a.forEach((x, i) => {
    const y = b[i] ?? 0;
    cov += (x - ma) * (y - mb);
    va += (x - ma) ** 2;
    vb += (y - mb) ** 2;
  });
  // Uniform counts have no variance: no correlation at all.
  return va === 0 || vb === 0 ? 0 : cov / Math.sqrt(va * vb);
}

const spearman = (a: readonly number[], b: readonly number[]) =>
  pearson(ranks(a), ranks(b));

/** How many of `docs` each district (in DISTRICTS order) has. */
const perDistrict = (docs: readonly { district: string }[]) =>
  DISTRICTS.map((d) => docs.filter((x) => x.district === d.code).length);

const populations = DISTRICTS.map(populationOf);
const totalPopulation = populations.reduce((a, b) => a + b, 0);

describe('seeded counts per district', () => {
  it.each([
    ['businesses', economy.businesses, 0.65],
    ['traffic sensors', mobility.sensors, 0.8],
    ['air-quality stations', environment.stations, 0.65],
    ['bike stations', mobility.bikes, 0.5],
  ] as const)(
    '%s follow population (rank correlation, per-capita within 0.4x to 2.5x the city mean)',
    (_, docs, minCorrelation) => {
      const counts = perDistrict(docs);
      expect(spearman(counts, populations)).toBeGreaterThanOrEqual(
        minCorrelation,
      );
      const total = counts.reduce((a, b) => a + b, 0);
      counts.forEach((count, i) => {
        const share = count / total;
        const populationShare = (populations[i] ?? 0) / totalPopulation;
        expect(share / populationShare).toBeGreaterThanOrEqual(0.4);
        expect(share / populationShare).toBeLessThanOrEqual(2.5);
      });
    },
  );

  it('gives the most populous district (13e) several times what the least (16e) gets', () => {
    const of = (docs: readonly { district: string }[], code: string) =>
      docs.filter((d) => d.district === code).length;
    expect(of(economy.businesses, '13213')).toBeGreaterThanOrEqual(
      3 * of(economy.businesses, '13216'),
    );
    expect(of(mobility.sensors, '13213')).toBeGreaterThanOrEqual(
      3 * of(mobility.sensors, '13216'),
    );
    expect(of(environment.stations, '13213')).toBeGreaterThan(
      of(environment.stations, '13216'),
    );
  });

  it('seeds what the shared plan says, so departments referencing each other agree', () => {
    for (const d of DISTRICTS) {
      expect(
        economy.businesses.filter((b) => b.district === d.code),
      ).toHaveLength(SEED_PLAN.businesses[d.code] ?? -1);
      expect(
        mobility.sensors.filter((s) => s.district === d.code),
      ).toHaveLength(SEED_PLAN.trafficSensors[d.code] ?? -1);
    }
    // Environment's projects are run by businesses economy does seed.
    const businessIds = new Set(economy.businesses.map((b) => b._id));
    for (const project of environment.projects)
      if (project.operatorId !== null)
        expect(businessIds).toContain(project.operatorId);
  });

  it('apportions a total by weight with a minimum, summing to the total', () => {
    expect(apportion(10, { a: 1, b: 1, c: 2 })).toEqual({ a: 3, b: 2, c: 5 });
    expect(apportion(10, { a: 100, b: 1 }, 2)).toEqual({ a: 8, b: 2 });
    const split = apportion(144, { x: 3, y: 5, z: 7 });
    expect(Object.values(split).reduce((a, b) => a + b, 0)).toBe(144);
  });
});

describe("seeded roads are their district's roads", () => {
  it('lists at least two sourced roads for every district', () => {
    for (const d of DISTRICTS)
      expect(streetsOf(d.code).length).toBeGreaterThanOrEqual(2);
    for (const street of STREETS) expect(street.source).toMatch(/^https?:\/\//);
  });

  it("puts every traffic sensor on one of its district's roads", () => {
    for (const sensor of mobility.sensors)
      expect(streetsOf(sensor.district)).toContain(sensor.roadName);
    // The example: La Canebière is in the 1er only.
    const canebiere = mobility.sensors.filter(
      (s) => s.roadName === 'La Canebière',
    );
    expect(canebiere.length).toBeGreaterThan(0);
    expect(new Set(canebiere.map((s) => s.district))).toEqual(
      new Set(['13201']),
    );
  });

  it("puts every traffic light at a crossing of two of its district's roads", () => {
    for (const light of mobility.lights) {
      const [road, cross] = light.intersection.split(' x ');
      expect(road).not.toBe(cross);
      expect(streetsOf(light.district)).toContain(road);
      expect(streetsOf(light.district)).toContain(cross);
    }
  });

  it("addresses citizen reports on their district's roads", () => {
    const addressed = engagement.reports.filter((r) => r.address !== null);
    expect(addressed.length).toBeGreaterThan(1000);
    for (const report of addressed) {
      const street = /^\d+ (.+) \(/.exec(report.address ?? '')?.[1];
      expect(streetsOf(report.district)).toContain(street);
    }
  });
});

describe('market indicators agree with the business registry', () => {
  const registry = (district: string, sector: string) =>
    economy.businesses.filter(
      (b) => b.district === district && b.sector === sector,
    );

  it('counts as openings the businesses of the registry founded that month, never more than it holds', () => {
    let openings = 0;
    for (const mi of economy.indicators) {
      const end = new Date(mi.periodStart);
      end.setUTCMonth(end.getUTCMonth() + 1);
      for (const flow of mi.sectorFlows) {
        const ofSector = registry(mi.district, flow.sector);
        expect(flow.openings).toBeLessThanOrEqual(ofSector.length);
        expect(flow.openings).toBe(
          ofSector.filter((b) => b.founded >= mi.periodStart && b.founded < end)
            .length,
        );
        expect(flow.closures).toBeLessThanOrEqual(
          ofSector.filter((b) => b.founded < end).length,
        );
        openings += flow.openings;
      }
    }
    // And every recent business is an opening of some month.
    const first = economy.indicators.reduce(
      (min, mi) => (mi.periodStart < min ? mi.periodStart : min),
      new Date(8.64e15),
    );
    const last = new Date(
      Math.max(...economy.indicators.map((mi) => mi.periodStart.getTime())),
    );
    last.setUTCMonth(last.getUTCMonth() + 1);
    expect(openings).toBe(
      economy.businesses.filter((b) => b.founded >= first && b.founded < last)
        .length,
    );
    expect(openings).toBeGreaterThan(0);
  });
});

describe('rush hour', () => {
  /** The sensors with a congested reading on `day` (YYYY-MM-DD, UTC) between local hours [from, to). */
  const congestedSensors = (day: string, from: number, to: number) =>
    new Set(
      mobility.readings
        .filter(
          (r) =>
            r.congested === true &&
            r.observedAt.toISOString().startsWith(day) &&
            localHour(r.observedAt) >= from &&
            localHour(r.observedAt) < to,
        )
        .map((r) => r.device.id),
    );

  it('congests some roads, not all, at 8-9h and 17-19h on a weekday, and none at night', () => {
    const friday = '2026-11-20';
    const morning = congestedSensors(friday, 8, 9);
    const evening = congestedSensors(friday, 17, 19);
    for (const rush of [morning, evening]) {
      expect(rush.size).toBeGreaterThanOrEqual(10);
      expect(rush.size).toBeLessThan(mobility.sensors.length / 2);
    }
    expect(congestedSensors(friday, 2, 5).size).toBe(0);
    expect(congestedSensors(friday, 11, 12).size).toBe(0);
  });

  it('has no commuter rush on Saturday morning', () => {
    expect(congestedSensors('2026-11-21', 7, 10).size).toBeLessThan(
      congestedSensors('2026-11-20', 7, 10).size / 4,
    );
  });
});

describe('determinism', () => {
  it('gives identical data on a second run of every generator', () => {
    expect(generateMobilitySeed()).toEqual(mobility);
    expect(generateEconomySeed()).toEqual(economy);
    expect(generateEnvironmentSeed()).toEqual(environment);
    expect(generateEngagementSeed()).toEqual(engagement);
  });
});
