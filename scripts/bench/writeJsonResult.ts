// Internal to the benchmarks: writes a result file as the repository's Prettier formats it.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { format, resolveConfig } from 'prettier';

/**
 * Writes `value` as JSON to `file`, formatted with the repository's Prettier settings, so a
 * result committed under docs/performance/ passes `prettier --check` in `npm test` as written
 * (JSON.stringify's layout does not: Prettier keeps short arrays and objects on one line).
 */
export async function writeJsonResult(
  file: string,
  value: unknown,
): Promise<void> {
  const options = (await resolveConfig(file)) ?? {};
  const text = await format(JSON.stringify(value), {
    ...options,
    filepath: file,
    parser: 'json',
  });
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, text);
}
