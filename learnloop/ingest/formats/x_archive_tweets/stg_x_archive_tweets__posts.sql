-- The brand's own tweets that are neither replies nor retweets. The archive counts likes
-- and retweets but not replies (comments NULL), clicks or impressions; it has no export time
-- in tweets.js, so the load time is the snapshot. The archive names no handle: account is
-- the one X handle under [brand], if exactly one is configured.
with tweets as (
    select * from {{ ref('stg_x_archive_tweets__tweets') }}
)

select
    {{ conform_posts({
        'platform': "'x'",
        'post_id': "tweets.tweet_id",
        'account': "tweets.brand_handle",
        'published_at': "tweets.created_at",
        'permalink': "'https://x.com/' || coalesce(tweets.brand_handle, 'i') || '/status/' || tweets.tweet_id",
        'text': "tweets.text",
        'reactions': "tweets.favorite_count",
        'shares': "tweets.retweet_count",
        'snapshot_at': "tweets._loaded_at",
        'source_format': "'x_archive_tweets'",
        'source_file': "tweets._source_file",
        'source_row': "tweets._source_row",
        'loaded_at': "tweets._loaded_at",
    }) }}
from tweets
where tweets.is_post
