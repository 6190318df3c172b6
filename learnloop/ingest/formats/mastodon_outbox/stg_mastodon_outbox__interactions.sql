-- The account's replies and direct messages from its archive: outbound by source (an
-- outbox holds only what the account itself wrote). No conversation id: the archive's
-- ostatus conversation tags are unknown to the API data, so threads follow parent links.
with notes as (
    select * from {{ ref('stg_mastodon_outbox__notes') }}
)

select
    {{ conform_interactions({
        'platform': "'mastodon'",
        'interaction_id': "status_id",
        'parent_id': "parent_id",
        'post_id': "brand_post_id",
        'author_id': "author_handle",
        'author_handle': "author_handle",
        'is_outbound_by_source': "true",
        'created_at': "published_at",
        'text': "text",
        'is_private': "coalesce(visibility = 'direct', false)",
        'source_format': "'mastodon_outbox'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from notes
where not is_brand_post
