-- Facebook comments and replies. A top-level comment sits under its post (post_id) with no
-- parent; a reply's parent is the comment it is nested in. The page writing is the brand:
-- from.id equals the page id. Without `from` (privacy) the author is unknown.
with source as (
    select * from {{ source('facebook_graph', 'facebook_graph__items') }}
    where record_type in ('comment', 'reply')
)

select
    {{ conform_interactions({
        'platform': "'facebook'",
        'interaction_id': "item_id",
        'parent_id': "parent_id",
        'post_id': "post_id",
        'author_id': "author_id",
        'author_handle': "author_name",
        'is_outbound_by_source': "author_id is not null and author_id = page_id",
        'created_at': "created_at",
        'text': "text",
        'is_private': "false",
        'source_format': "'facebook_graph'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from source
