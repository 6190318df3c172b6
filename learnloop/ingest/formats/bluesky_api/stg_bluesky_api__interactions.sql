-- Posts that are interactions: the community's posts and replies and the brand's replies;
-- not the brand's own top-level posts (stg_bluesky_api__posts) and not another author's
-- post that a feed shows only because the brand reposted it. parent_id is reply.parent, so
-- threads form along the reply chain; post_id is the brand post at reply.root.
with post_views as (
    select * from {{ ref('stg_bluesky_api__post_views') }}
)

select
    {{ conform_interactions({
        'platform': "'bluesky'",
        'interaction_id': "uri",
        'parent_id': "reply_parent_uri",
        'post_id': "brand_post_id",
        'author_id': "author_did",
        'author_handle': "author_handle",
        'is_outbound_by_source': "false",
        'created_at': "created_at",
        'text': "text",
        'is_private': "false",
        'source_format': "'bluesky_api'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from post_views
where not is_brand_post
    and not is_repost
