import { ObjectId } from 'bson';
import { describe, expect, it } from 'vitest';
import { flatKey } from '../src/storage/flatKey.js';
import { compareKeys, rng } from './keyOracle.js';

const VALUES: unknown[] = [
  null,
  undefined,
  0,
  -0,
  1,
  -1,
  1.5,
  -1.5,
  2 ** 53,
  -(2 ** 53),
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  -Number.MIN_VALUE,
  Infinity,
  -Infinity,
  NaN,
  '',
  'a',
  'ab',
  'b',
  'a\u0000',
  'a\u0001',
  '\uffff',
  '\ud83d\ude00',
  'é',
  's12',
  's2',
  new Date(0),
  new Date(-1),
  new Date(1_700_000_000_000),
  new Date(NaN),
  true,
  false,
  new ObjectId('65f0a0a0a0a0a0a0a0a0a0a0'),
  { a: 1 },
  [1, 2],
];

describe('flatKey', () => {
  it('orders keys of one to three fields, either direction, as compareValues does, equal exactly when they compare equal', () => {
    const next = rng(11);
    const pick = (): unknown =>
      VALUES[Math.floor(next() * VALUES.length)] as unknown;
    const wrong: string[] = [];
    for (let round = 0; round < 60; round += 1) {
      const width = 1 + Math.floor(next() * 3);
      const dirs = Array.from({ length: width }, () =>
        next() < 0.5 ? 1 : -1,
      ) as Array<1 | -1>;
      const keys = Array.from({ length: 80 }, () =>
        Array.from({ length: width }, pick),
      );
      const flats = keys.map((k) => flatKey(k, dirs));
      for (let i = 0; i < keys.length; i += 1)
        for (let j = 0; j < keys.length; j += 1) {
          const fa = flats[i];
          const fb = flats[j];
          if (fa === undefined || fb === undefined) continue;
          const byFlat = fa < fb ? -1 : fa > fb ? 1 : 0;
          if (byFlat !== compareKeys(keys[i] ?? [], keys[j] ?? [], dirs))
            wrong.push(
              `${String(keys[i])} vs ${String(keys[j])} (${String(dirs)})`,
            );
        }
    }
    expect(wrong).toEqual([]);
  });

  it('has a flat form for the keys ingestion writes, and none for what it cannot order', () => {
    expect(flatKey(['s1', new Date(5)], [1, -1])).toBeDefined();
    expect(flatKey([null, 3], [1, 1])).toBeDefined();
    expect(flatKey(['s1'], [-1])).toBeUndefined();
    expect(flatKey(['a\u0000'], [1])).toBeUndefined();
    expect(flatKey([NaN], [1])).toBeUndefined();
    expect(flatKey([new ObjectId()], [1])).toBeUndefined();
    expect(flatKey(['x'.repeat(300)], [1])).toBeUndefined();
    expect(flatKey([-0], [1])).toBe(flatKey([0], [1]));
  });
});
