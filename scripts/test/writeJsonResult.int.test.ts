import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { check } from 'prettier';
import { afterAll, describe, expect, it } from 'vitest';
import { writeJsonResult } from '../bench/writeJsonResult.js';

describe('writeJsonResult', () => {
  const dirs: string[] = [];
  afterAll(async () => {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  });

  it('writes the value as JSON that prettier --check accepts, creating the folder', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'bench-json-'));
    dirs.push(dir);
    const file = path.join(dir, 'nested', 'result.json');
    const value = {
      date: '2026-12-04T02:50:00.000Z',
      options: { rounds: 3, only: ['single'], out: undefined },
      results: [{ name: 'district', rps: [812.5, 790], p99: 41.2 }],
    };
    await writeJsonResult(file, value);
    const text = await readFile(file, 'utf8');
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(value)));
    expect(await check(text, { parser: 'json', filepath: file })).toBe(true);
    // JSON.stringify(value, null, 2) spreads the short arrays over lines: refused.
    expect(
      await check(`${JSON.stringify(value, null, 2)}\n`, {
        parser: 'json',
        filepath: file,
      }),
    ).toBe(false);
  });
});
