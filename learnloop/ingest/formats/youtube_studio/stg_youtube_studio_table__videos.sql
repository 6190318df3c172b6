-- The channel's videos from a YouTube Studio Table data.csv, with the metrics the exported
-- view shows. No export time and no channel in the file: the load time is the snapshot and
-- the account is unknown. The publish time is a date: published_at is local midnight.
with videos as (
    select * from {{ source('youtube_studio_table', 'youtube_studio_table__videos') }}
)

select
    {{ conform_posts({
        'platform': "'youtube'",
        'post_id': "video_id",
        'published_at': "published_at",
        'permalink': "'https://www.youtube.com/watch?v=' || video_id",
        'text': "video_title",
        'reactions': "likes",
        'comments': "comments_added",
        'shares': "shares",
        'impressions': "impressions",
        'snapshot_at': "_loaded_at",
        'source_format': "'youtube_studio_table'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from videos
