-- The brand's own statuses that are not replies, boosts or direct messages, with their
-- counts as of the API call. The response carries no export time, so the load time is the
-- snapshot. Mastodon counts no clicks or impressions.
with statuses as (
    select * from {{ ref('stg_mastodon_api__statuses') }}
)

select
    {{ conform_posts({
        'platform': "'mastodon'",
        'post_id': "status_id",
        'account': "author_handle",
        'published_at': "created_at",
        'permalink': "url",
        'text': "text",
        'reactions': "favourites_count",
        'comments': "replies_count",
        'shares': "reblogs_count",
        'snapshot_at': "_loaded_at",
        'source_format': "'mastodon_api'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from statuses
where is_brand_post
