-- The brand's replies from its archive: outbound by source (the archive holds only the
-- account's own tweets). The parent is the tweet replied to; a reply to a community tweet
-- that is not loaded starts its own thread. Retweets are neither posts nor interactions.
with tweets as (
    select * from {{ ref('stg_x_archive_tweets__tweets') }}
)

select
    {{ conform_interactions({
        'platform': "'x'",
        'interaction_id': "tweets.tweet_id",
        'parent_id': "tweets.in_reply_to_status_id",
        'post_id': "tweets.brand_post_id",
        'author_handle': "tweets.brand_handle",
        'is_outbound_by_source': "true",
        'created_at': "tweets.created_at",
        'text': "tweets.text",
        'is_private': "false",
        'source_format': "'x_archive_tweets'",
        'source_file': "tweets._source_file",
        'source_row': "tweets._source_row",
        'loaded_at': "tweets._loaded_at",
    }) }}
from tweets
where tweets.is_reply
    and not tweets.is_retweet
