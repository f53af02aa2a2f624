/**
 * Scalars, units and coordinates as apps read them (issue 18, ADR 0012),
 * checked by a walk over the supergraph's API schema: every custom scalar
 * carries a description and `@specifiedBy` and is the one the subgraphs
 * serve; every measured value names its one unit; every plain number says
 * its range or unit; coordinates have one shape.
 */
import {
  getNamedType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  isScalarType,
  isSpecifiedScalarType,
  type GraphQLField,
  type GraphQLInputField,
} from 'graphql';
import { describe, expect, it } from 'vitest';
import { CITY_SCALARS } from '../../lib/subgraph-kit/scalars.js';
import { cityClientSchema } from '../../lib/tooling/clientSchema.js';
import * as economyUnits from '../../subgraphs/economy/src/resolvers/units.js';
import * as engagementUnits from '../../subgraphs/engagement/src/resolvers/units.js';
import * as environmentUnits from '../../subgraphs/environment/src/resolvers/units.js';
import * as mobilityUnits from '../../subgraphs/mobility/src/resolvers/units.js';

const schema = cityClientSchema();

/** Every field of every object, interface and input type, as `Type.field`. */
function allFields(): [
  string,
  GraphQLField<unknown, unknown> | GraphQLInputField,
][] {
  return Object.values(schema.getTypeMap()).flatMap((type) =>
    (isObjectType(type) || isInterfaceType(type) || isInputObjectType(type)) &&
    !type.name.startsWith('__')
      ? Object.values(type.getFields()).map(
          (field) =>
            [`${type.name}.${field.name}`, field] as [
              string,
              GraphQLField<unknown, unknown> | GraphQLInputField,
            ],
        )
      : [],
  );
}

/** The units `Quantity.unit`'s description lists, in backticks. */
function documentedUnits(): string[] {
  const quantity = schema.getType('Quantity');
  if (!isObjectType(quantity)) throw new Error('No Quantity type');
  const description = quantity.getFields()['unit']?.description ?? '';
  return [...description.matchAll(/`([^`]+)`/g)].map((m) => m[1] as string);
}

describe('custom scalars', () => {
  it('each has a description and @specifiedBy, and is the scalar the subgraphs serve, typed for codegen', () => {
    const custom = Object.values(schema.getTypeMap()).filter(
      (type) =>
        isScalarType(type) &&
        !isSpecifiedScalarType(type) &&
        !type.name.startsWith('__'),
    );
    expect(custom.map((t) => t.name)).toEqual(['DateTime']);
    for (const type of custom) {
      if (!isScalarType(type)) continue;
      const served = CITY_SCALARS.find((s) => s.name === type.name);
      expect(served, type.name).toBeDefined();
      // The same words (the SDL wraps its lines).
      const words = (text: string | null | undefined) =>
        (text ?? '').split(/\s+/).filter(Boolean).join(' ');
      expect(words(type.description), type.name).toBe(
        words(served?.description),
      );
      expect(words(type.description)).not.toBe('');
      expect(type.specifiedByURL, type.name).toBe(served?.specifiedByURL);
      expect(type.specifiedByURL).toMatch(/^https:\/\//);
      expect(served?.extensions['codegenScalarType']).toEqual(
        expect.any(String),
      );
    }
  });
});

describe('units', () => {
  it('every field that answers a Quantity names its unit, one of those Quantity.unit lists', () => {
    const units = documentedUnits();
    expect(units.length).toBeGreaterThan(5);
    const missing: string[] = [];
    for (const [coordinate, field] of allFields()) {
      if (getNamedType(field.type).name !== 'Quantity') continue;
      const description = field.description ?? '';
      if (!units.some((unit) => description.includes(unit)))
        missing.push(`${coordinate}: ${JSON.stringify(description)}`);
    }
    expect(missing).toEqual([]);
  });

  it('the subgraphs answer Quantities only in the units Quantity.unit lists', () => {
    const units = new Set(documentedUnits());
    const served = [
      economyUnits,
      engagementUnits,
      environmentUnits,
      mobilityUnits,
    ].flatMap((module) =>
      Object.values(module).map(
        (make) => (make as (v: number) => { unit: string })(1).unit,
      ),
    );
    expect(served.length).toBeGreaterThan(5);
    for (const unit of served) expect(units, unit).toContain(unit);
  });

  it('every plain Float says its range, rate or unit', () => {
    const unstated: string[] = [];
    for (const [coordinate, field] of allFields()) {
      if (getNamedType(field.type).name !== 'Float') continue;
      const said = `${field.name} ${field.description ?? ''}`;
      // "0 to 1", "-90 to 90", "1 to 5"; "per 1,000"; a unit in the name
      // (durationMs) or in backticks (`unit`).
      if (!/-?\d+ to \d+|per [\d,]+|Ms\b|Meters\b|Seconds\b|`unit`/.test(said))
        unstated.push(`${coordinate}: ${JSON.stringify(field.description)}`);
    }
    expect(unstated).toEqual([]);
  });
});

describe('coordinates', () => {
  it('have one shape: lat and lon, non-null Floats in decimal degrees, only on GeoPoint and GeoPointInput', () => {
    const shapes = new Map<string, string[]>();
    for (const [coordinate, field] of allFields()) {
      if (!/^(lat|lon|latitude|longitude|lng)$/i.test(field.name)) continue;
      const [type] = coordinate.split('.');
      shapes.set(type as string, [
        ...(shapes.get(type as string) ?? []),
        `${field.name}: ${String(field.type)}`,
      ]);
      expect(field.description).toMatch(/decimal degrees/);
    }
    expect(Object.fromEntries(shapes)).toEqual({
      GeoPoint: ['lat: Float!', 'lon: Float!'],
      GeoPointInput: ['lat: Float!', 'lon: Float!'],
    });
  });
});
