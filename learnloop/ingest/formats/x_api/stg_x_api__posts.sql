-- The brand's own tweets that are not replies (nor retweets), with their public metrics as
-- of the API call. The response carries no export time, so the load time is the snapshot.
with tweets as (
    select * from {{ ref('stg_x_api__tweets') }}
)

select
    {{ conform_posts({
        'platform': "'x'",
        'post_id': "tweet_id",
        'account': "coalesce(author_username, author_id)",
        'published_at': "created_at",
        'permalink': "'https://x.com/' || coalesce(author_username, 'i') || '/status/' || tweet_id",
        'text': "text",
        'reactions': "like_count",
        'comments': "reply_count",
        'shares': "retweet_count",
        'impressions': "impression_count",
        'snapshot_at': "_loaded_at",
        'source_format': "'x_api'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from tweets
where is_brand_post
