import { describe, expect, it } from 'vitest';
import {
  graphIdOf,
  localName,
  NgsiFormatError,
  parseNgsiLdEntity,
  parseNgsiV2Entity,
} from '../../ingest/ngsiEntity.js';

describe('parseNgsiLdEntity', () => {
  it('reads normalized Property, GeoProperty and Relationship with unitCode and observedAt', () => {
    const entity = parseNgsiLdEntity({
      id: 'urn:ngsi-ld:TrafficFlowObserved:1',
      type: 'https://smartdatamodels.org/dataModel.Transportation/TrafficFlowObserved',
      'https://smartdatamodels.org/dataModel.Transportation/intensity': {
        type: 'Property',
        value: 197,
        observedAt: '2016-12-07T11:15:00Z',
      },
      averageVehicleSpeed: { type: 'Property', value: 52.6, unitCode: 'KMH' },
      dateObserved: {
        type: 'Property',
        value: {
          '@type': 'DateTime',
          '@value': '2016-12-07T11:10:00/2016-12-07T11:15:00',
        },
      },
      location: {
        type: 'GeoProperty',
        value: { type: 'Point', coordinates: [5.37, 43.29] },
      },
      refDevice: {
        type: 'Relationship',
        object: 'urn:ngsi-ld:Device:mob-ts-13201-01',
      },
      '@context': ['https://example.org/context.jsonld'],
    });
    expect(entity.type).toBe('TrafficFlowObserved');
    expect(entity.attributes.get('intensity')).toEqual({
      kind: 'Property',
      value: 197,
      observedAt: '2016-12-07T11:15:00Z',
    });
    expect(entity.attributes.get('averageVehicleSpeed')).toMatchObject({
      unitCode: 'KMH',
    });
    expect(entity.attributes.get('dateObserved')?.value).toBe(
      '2016-12-07T11:10:00/2016-12-07T11:15:00',
    );
    expect(entity.attributes.get('location')?.kind).toBe('GeoProperty');
    expect(entity.attributes.get('refDevice')).toEqual({
      kind: 'Relationship',
      value: 'urn:ngsi-ld:Device:mob-ts-13201-01',
    });
    expect(entity.attributes.has('@context')).toBe(false);
  });

  it('reads concise and keyValues forms', () => {
    const entity = parseNgsiLdEntity({
      id: 'urn:ngsi-ld:AirQualityObserved:1',
      type: 'AirQualityObserved',
      NO2: 69,
      CO: { value: 500, unitCode: 'GP' },
      refDevice: { object: 'urn:ngsi-ld:Device:env-aq-13201' },
      location: { type: 'Point', coordinates: [5.37, 43.29] },
    });
    expect(entity.attributes.get('NO2')).toEqual({
      kind: 'Property',
      value: 69,
    });
    expect(entity.attributes.get('CO')).toEqual({
      kind: 'Property',
      value: 500,
      unitCode: 'GP',
    });
    expect(entity.attributes.get('refDevice')?.kind).toBe('Relationship');
    expect(entity.attributes.get('location')?.kind).toBe('GeoProperty');
  });

  it('refuses an entity without a URI id or a type', () => {
    expect(() => parseNgsiLdEntity({ id: 'plain', type: 'T' })).toThrow(
      NgsiFormatError,
    );
    expect(() => parseNgsiLdEntity({ id: 'urn:x:1' })).toThrow(/no "type"/);
    expect(() => parseNgsiLdEntity([1])).toThrow(/JSON object/);
  });
});

describe('parseNgsiV2Entity', () => {
  it('reads normalized attributes with metadata.unitCode and geo:json', () => {
    const entity = parseNgsiV2Entity({
      id: 'Madrid-1',
      type: 'AirQualityObserved',
      no2: {
        type: 'Number',
        value: 69,
        metadata: { unitCode: { value: 'GQ' } },
      },
      location: {
        type: 'geo:json',
        value: { type: 'Point', coordinates: [-3.71, 40.42] },
      },
      refDevice: { type: 'Relationship', value: 'env-aq-13201' },
    });
    expect(entity.attributes.get('no2')).toEqual({
      kind: 'Property',
      value: 69,
      declaredType: 'Number',
      unitCode: 'GQ',
    });
    expect(entity.attributes.get('location')?.kind).toBe('GeoProperty');
    expect(entity.attributes.get('refDevice')?.kind).toBe('Relationship');
  });

  it('reads keyValues, with ref* attributes as relationships', () => {
    const entity = parseNgsiV2Entity(
      {
        id: 'x',
        type: 'TrafficFlowObserved',
        intensity: 3,
        refDevice: 'mob-ts-13201-01',
        address: { value: 'a' },
      },
      true,
    );
    expect(entity.attributes.get('intensity')).toEqual({
      kind: 'Property',
      value: 3,
    });
    expect(entity.attributes.get('refDevice')?.kind).toBe('Relationship');
    // In keyValues an object with "value" is a plain structured value.
    expect(entity.attributes.get('address')?.value).toEqual({ value: 'a' });
  });
});

describe('names', () => {
  it('reads local names of expanded and prefixed terms', () => {
    expect(
      localName('https://smartdatamodels.org/dataModel.Environment/no2'),
    ).toBe('no2');
    expect(localName('sdm:intensity')).toBe('intensity');
    expect(localName('intensity')).toBe('intensity');
  });

  it('maps NGSI ids to graph ids', () => {
    expect(graphIdOf('urn:ngsi-ld:Device:mob-ts-13201-01')).toBe(
      'mob-ts-13201-01',
    );
    expect(graphIdOf('mob-ts-13201-01')).toBe('mob-ts-13201-01');
  });
});
