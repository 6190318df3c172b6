-- Statuses that are interactions: community statuses and the brand's replies and direct
-- messages; not the brand's posts (stg_mastodon_api__posts) and no boosts (a boost repeats
-- another status; Mastodon counts it in reblogs_count). Direct visibility is a private
-- message. Account ids are per instance, so the full handle user@host identifies authors.
with statuses as (
    select * from {{ ref('stg_mastodon_api__statuses') }}
)

select
    {{ conform_interactions({
        'platform': "'mastodon'",
        'interaction_id': "status_id",
        'parent_id': "in_reply_to_id",
        'post_id': "brand_post_id",
        'author_id': "author_handle",
        'author_handle': "author_handle",
        'is_outbound_by_source': "false",
        'created_at': "created_at",
        'text': "text",
        'is_private': "coalesce(visibility = 'direct', false)",
        'source_format': "'mastodon_api'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from statuses
where not is_brand_post
    and not is_boost
