-- The account's posts with their lifetime metrics as of the export. shares = Reposts only:
-- X's "Shares" (sent by DM, copied link, share sheet) is not amplification on X, and X's
-- other sources (tweet activity retweets, API retweet_count) count reposts alone, so the
-- same post agrees across sources. The file carries no export time: the load time is the
-- snapshot.
with source as (
    select * from {{ source('x_analytics_content', 'x_analytics_content__posts') }}
)

select
    {{ conform_posts({
        'platform': "'x'",
        'post_id': "post_id",
        'account': "account",
        'published_at': "published_at",
        'permalink': "permalink",
        'text': "text",
        'reactions': "likes",
        'comments': "replies",
        'shares': "reposts",
        'clicks': "url_clicks",
        'impressions': "impressions",
        'snapshot_at': "_loaded_at",
        'source_format': "'x_analytics_content'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from source
