import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/runtime/config.js';
import {
  documentId,
  parseTrustedDocumentsManifest,
} from '../src/trustedDocuments.js';

const BODY = '{ district(code: "13201") { name } }';
const manifest = (operations: unknown[]) => ({
  format: 'apollo-persisted-query-manifest',
  version: 1,
  operations,
});

describe('parseTrustedDocumentsManifest', () => {
  it('reads the operations of an Apollo persisted-query manifest by id', () => {
    const documents = parseTrustedDocumentsManifest(
      manifest([
        { id: documentId(BODY), name: 'D', type: 'query', body: BODY },
      ]),
      'm.json',
    );
    expect([...documents]).toEqual([[documentId(BODY), BODY]]);
  });

  it('refuses another format or version, and any id that is not the sha256 of its body', () => {
    expect(() =>
      parseTrustedDocumentsManifest({ ...manifest([]), format: 'x' }, 'm.json'),
    ).toThrow(/m.json is not a trusted-documents manifest: format/);
    expect(() =>
      parseTrustedDocumentsManifest({ ...manifest([]), version: 2 }, 'm.json'),
    ).toThrow(/version must be 1/);
    expect(() =>
      parseTrustedDocumentsManifest(
        manifest([{ id: 'a'.repeat(64), body: BODY }]),
        'm.json',
      ),
    ).toThrow(/operations\[0\].*sha256/);
    expect(() =>
      parseTrustedDocumentsManifest(manifest([{ id: 'x' }]), 'm.json'),
    ).toThrow(/operations\[0\] needs a string id and a non-empty body/);
  });
});

describe('trusted documents configuration', () => {
  it('is off without a file, enforced by default with one', () => {
    expect(loadConfig({}).gateway.trustedDocuments).toEqual({
      file: undefined,
      mode: 'off',
    });
    expect(
      loadConfig({ TRUSTED_DOCUMENTS_FILE: 'ops.json' }).gateway
        .trustedDocuments,
    ).toEqual({ file: path.resolve('ops.json'), mode: 'enforce' });
    expect(
      loadConfig({
        TRUSTED_DOCUMENTS_FILE: 'ops.json',
        TRUSTED_DOCUMENTS_MODE: 'allow',
      }).gateway.trustedDocuments.mode,
    ).toBe('allow');
  });

  it('refuses an unknown mode, and a mode without a file', () => {
    expect(() => loadConfig({ TRUSTED_DOCUMENTS_MODE: 'strict' })).toThrow(
      /TRUSTED_DOCUMENTS_MODE must be off, allow or enforce/,
    );
    expect(() => loadConfig({ TRUSTED_DOCUMENTS_MODE: 'enforce' })).toThrow(
      /TRUSTED_DOCUMENTS_MODE=enforce needs TRUSTED_DOCUMENTS_FILE/,
    );
  });
});
