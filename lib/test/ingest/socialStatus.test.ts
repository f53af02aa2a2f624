import { describe, expect, it } from 'vitest';
import {
  socialPostEntity,
  statusText,
  webhookItems,
} from '../../ingest/socialStatus.js';
import { mastodonStatus } from '../../tooling/testing/mastodonStatus.js';

const KEY = 'test-social-author-key-0123456789abcdef';

describe('socialPostEntity', () => {
  it('keeps the text without HTML or mentions and never the handle', () => {
    const item = socialPostEntity(mastodonStatus(), KEY);
    if (!item.ok) throw new Error(item.detail);
    const entity = item.entity;
    expect(entity['type']).toBe('SocialMediaPost');
    expect(entity['id']).toMatch(
      /^urn:ngsi-ld:SocialMediaPost:eng-sp-[0-9a-f]{32}$/,
    );
    expect(entity['text']).toBe(
      'Le feu tricolore du carrefour est en panne depuis ce matin à Noailles, ça clignote orange & personne ne passe. @… tu as vu ?\n\n#Marseille',
    );
    expect(entity['author']).toMatch(/^[0-9a-f]{32}$/);
    expect(entity['instance']).toBe('mastodon.social');
    expect(entity['tags']).toEqual(['marseille']);
    const kept = JSON.stringify(entity);
    for (const secret of ['alice', '109876543210', 'bob', '113456789012345678'])
      expect(kept).not.toContain(secret);
  });

  it('gives the same status the same id and author, another key other ones', () => {
    const a = socialPostEntity(mastodonStatus(), KEY);
    const b = socialPostEntity(
      mastodonStatus({ content: '<p>modifié</p>' }),
      KEY,
    );
    const c = socialPostEntity(mastodonStatus(), `${KEY}-rotated`);
    if (!a.ok || !b.ok || !c.ok) throw new Error('all are kept');
    expect(b.entity['id']).toBe(a.entity['id']);
    expect(b.entity['author']).toBe(a.entity['author']);
    expect(c.entity['author']).not.toBe(a.entity['author']);
  });

  it('reads a webhook event, and refuses what must not be kept', () => {
    expect(
      socialPostEntity(
        { event: 'status.created', object: mastodonStatus() },
        KEY,
      ).ok,
    ).toBe(true);
    const refused = [
      socialPostEntity(mastodonStatus({ visibility: 'direct' }), KEY),
      socialPostEntity(mastodonStatus({ visibility: 'private' }), KEY),
      socialPostEntity(mastodonStatus({ reblog: mastodonStatus() }), KEY),
      socialPostEntity(mastodonStatus({ id: undefined }), KEY),
      socialPostEntity(42, KEY),
      socialPostEntity({ event: 'account.created', object: {} }, KEY),
    ];
    expect(refused.map((r) => (r.ok ? 'kept' : r.reason))).toEqual([
      'NOT_PUBLIC',
      'NOT_PUBLIC',
      'MALFORMED_ENTITY',
      'MALFORMED_ENTITY',
      'MALFORMED_ENTITY',
      'UNKNOWN_TYPE',
    ]);
  });

  it('passes a post without content on (engagement judges and keeps it)', () => {
    const item = socialPostEntity(mastodonStatus({ content: undefined }), KEY);
    expect(item.ok && item.entity['text']).toBe(null);
  });
});

describe('statusText', () => {
  it('decodes character references and breaks lines', () => {
    expect(statusText('<p>a&#39;b &#x27;c&lt;<br/>d</p>')).toBe("a'b 'c<\nd");
  });
});

describe('webhookItems', () => {
  it('takes one status, an array, and nothing else', () => {
    expect(webhookItems({ id: '1' })).toHaveLength(1);
    expect(webhookItems([{}, {}])).toHaveLength(2);
    expect(webhookItems('text')).toBeNull();
  });
});
