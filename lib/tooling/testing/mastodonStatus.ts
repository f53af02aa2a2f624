/**
 * Test support (not for production code): a public Mastodon Status shaped
 * like the REST API's and the webhooks' (https://docs.joinmastodon.org/entities/Status/).
 */

/** A status by @alice_13 about a traffic light in Noailles (1er), mentioning @bob; `overrides` replace fields. */
export function mastodonStatus(
  overrides: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id: '113456789012345678',
    created_at: '2026-12-02T03:12:45.000Z',
    edited_at: null,
    in_reply_to_id: null,
    in_reply_to_account_id: null,
    sensitive: false,
    spoiler_text: '',
    visibility: 'public',
    language: 'fr',
    uri: 'https://mastodon.social/users/alice_13/statuses/113456789012345678',
    url: 'https://mastodon.social/@alice_13/113456789012345678',
    replies_count: 0,
    reblogs_count: 2,
    favourites_count: 5,
    content:
      '<p>Le feu tricolore du carrefour est en panne depuis ce matin à Noailles, ça clignote orange &amp; personne ne passe. <span class="h-card" translate="no"><a href="https://mastodon.social/@bob" class="u-url mention">@<span>bob</span></a></span> tu as vu&nbsp;?</p><p><a href="https://mastodon.social/tags/Marseille" class="mention hashtag" rel="tag">#<span>Marseille</span></a></p>',
    reblog: null,
    application: { name: 'Web', website: null },
    account: {
      id: '109876543210',
      username: 'alice_13',
      acct: 'alice_13',
      display_name: 'Alice',
      url: 'https://mastodon.social/@alice_13',
      uri: 'https://mastodon.social/users/alice_13',
      followers_count: 42,
    },
    media_attachments: [],
    mentions: [
      {
        id: '1',
        username: 'bob',
        url: 'https://mastodon.social/@bob',
        acct: 'bob',
      },
    ],
    tags: [
      { name: 'marseille', url: 'https://mastodon.social/tags/marseille' },
    ],
    emojis: [],
    card: null,
    poll: null,
    ...overrides,
  };
}
