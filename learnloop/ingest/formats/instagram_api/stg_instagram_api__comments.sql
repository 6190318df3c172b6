-- Instagram comments and replies. A top-level comment sits under its media (post_id) with no
-- parent; a reply's parent is its comment. The username is both id and handle, so a
-- configured [brand] instagram handle marks the brand's own comments as outbound.
with source as (
    select * from {{ source('instagram_api', 'instagram_api__items') }}
    where record_type in ('comment', 'reply')
)

select
    {{ conform_interactions({
        'platform': "'instagram'",
        'interaction_id': "item_id",
        'parent_id': "parent_id",
        'post_id': "media_id",
        'author_id': "username",
        'author_handle': "username",
        'is_outbound_by_source': "media_username is not null and lower(username) = lower(media_username)",
        'created_at': "created_at",
        'text': "text",
        'is_private': "false",
        'source_format': "'instagram_api'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from source
