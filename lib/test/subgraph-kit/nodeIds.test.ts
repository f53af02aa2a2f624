import { describe, expect, it } from 'vitest';
import {
  MAX_NODE_IDS,
  NODE_ID_FORMS,
  nodeRefOf,
  nodeRefsOf,
  nodeTypeOf,
} from '../../subgraph-kit/nodeIds.js';

/** One id of each type as its owner generates them (see each department's seed). */
const SAMPLES = {
  District: '13216',
  TrafficSensor: 'mob-ts-13201-01',
  TrafficLight: 'mob-tl-13201-01',
  BikeStation: 'mob-bk-13201-1',
  TransitLine: 'rtm-M1',
  TransitStop: 'rtm-stop-vieux-port',
  AirQualityStation: 'env-aq-13201',
  WaterMeter: 'env-wm-13201-1',
  RenewableEnergyProject: 'env-rep-13201-1',
  Business: 'eco-biz-13201-001',
  Startup: 'eco-su-01',
  InnovationHub: 'eco-hub-1',
  Workshop: 'eng-ws-001',
  TrainingProgram: 'eng-tp-1',
  CitizenReport: 'eng-cr-00042',
  Survey: 'eng-sv-1',
};

describe('nodeTypeOf', () => {
  it('names the one type whose form each id has', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(
      Object.keys(NODE_ID_FORMS).sort(),
    );
    for (const [type, id] of Object.entries(SAMPLES)) {
      expect(nodeTypeOf(id)).toBe(type);
      const matching = Object.entries(NODE_ID_FORMS).filter(([, form]) =>
        form.test(id),
      );
      expect(matching.map(([t]) => t)).toEqual([type]);
    }
  });

  it('names no type for readings, other codes and free text', () => {
    for (const id of [
      'mob-ts-13201-01@2026-11-20T08:00:00.000Z',
      'env-aq-13201@2026-11-20T08:00:00.000Z',
      '13299',
      '13200',
      'eng-en-eng-ws-001-001',
      '',
      'nope',
    ])
      expect(nodeTypeOf(id), id).toBeNull();
  });
});

describe('nodeRefOf / nodeRefsOf', () => {
  it('answers a district by its code, others by their id', () => {
    expect(nodeRefOf('13203')).toEqual({
      __typename: 'District',
      id: '13203',
      code: '13203',
    });
    expect(nodeRefsOf(['eco-su-01', 'rtm-M1'])).toEqual([
      { __typename: 'Startup', id: 'eco-su-01' },
      { __typename: 'TransitLine', id: 'rtm-M1' },
    ]);
  });

  it('refuses an id of no Node form, naming every one, with BAD_USER_INPUT', () => {
    expect(() => nodeRefOf('nope')).toThrow(
      expect.objectContaining({
        extensions: { code: 'BAD_USER_INPUT', argumentName: 'id' },
      }),
    );
    expect(() => nodeRefsOf(['13201', 'x', 'y'])).toThrow(/"x", "y"/);
  });

  it(`refuses more than ${MAX_NODE_IDS} ids at once`, () => {
    expect(() =>
      nodeRefsOf(Array.from({ length: MAX_NODE_IDS + 1 }, () => '13201')),
    ).toThrow(
      expect.objectContaining({
        extensions: { code: 'BAD_USER_INPUT', argumentName: 'ids' },
      }),
    );
  });
});
