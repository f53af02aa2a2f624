/**
 * Writes a file atomically: a temporary file in the same folder, then a
 * rename, so a reader (the gateway's supergraph poller) sees the old file or
 * the new one, never half of one.
 */
import { randomBytes } from 'node:crypto';
import { rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';

/** Writes `content` to `file` through a temporary sibling and a rename. */
export async function writeFileAtomic(
  file: string,
  content: string,
): Promise<void> {
  const temp = path.join(
    path.dirname(file),
    `.${path.basename(file)}.${randomBytes(6).toString('hex')}.tmp`,
  );
  try {
    await writeFile(temp, content, 'utf8');
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    throw error;
  }
}
