-- The brand's tweets with their lifetime metrics as of the export. X reports a promoted
-- tweet's paid reach in separate `promoted …` columns, so a post's metric is the organic
-- figure plus the promoted one where there is one. The file carries no export time, so the
-- load time is the snapshot.
with source as (
    select * from {{ source('x_tweet_activity', 'x_tweet_activity__tweets') }}
)

select
    {{ conform_posts({
        'platform': "'x'",
        'post_id': "tweet_id",
        'account': "account",
        'published_at': "published_at",
        'permalink': "permalink",
        'text': "text",
        'reactions': "likes + coalesce(promoted_likes, 0)",
        'comments': "replies + coalesce(promoted_replies, 0)",
        'shares': "retweets + coalesce(promoted_retweets, 0)",
        'clicks': "url_clicks + coalesce(promoted_url_clicks, 0)",
        'impressions': "impressions + coalesce(promoted_impressions, 0)",
        'snapshot_at': "_loaded_at",
        'source_format': "'x_tweet_activity'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from source
