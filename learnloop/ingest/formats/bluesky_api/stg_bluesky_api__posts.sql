-- The brand's own top-level posts with their counts as of the API call. The response has
-- no export time, so the load time is the snapshot. shares counts reposts and quote posts
-- (both pass the post on); Bluesky counts no clicks or impressions.
with post_views as (
    select * from {{ ref('stg_bluesky_api__post_views') }}
)

select
    {{ conform_posts({
        'platform': "'bluesky'",
        'post_id': "uri",
        'account': "author_handle",
        'published_at': "created_at",
        'permalink': "'https://bsky.app/profile/' || author_did || '/post/' || split_part(uri, '/', 5)",
        'text': "text",
        'reactions': "like_count",
        'comments': "reply_count",
        'shares': "repost_count + quote_count",
        'snapshot_at': "_loaded_at",
        'source_format': "'bluesky_api'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from post_views
where is_brand_post
