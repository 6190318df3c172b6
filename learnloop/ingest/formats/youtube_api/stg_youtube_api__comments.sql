-- YouTube comments and replies. A top-level comment sits under the video (its post); a
-- reply's parent is the top-level comment. The video's channel writing is the brand.
with source as (
    select * from {{ source('youtube_api', 'youtube_api__comments') }}
)

select
    {{ conform_interactions({
        'platform': "'youtube'",
        'interaction_id': "comment_id",
        'parent_id': "parent_id",
        'post_id': "video_id",
        'author_id': "author_channel_id",
        'author_handle': "author_display_name",
        'is_outbound_by_source': "author_channel_id is not null and author_channel_id = channel_id",
        'created_at': "published_at",
        'text': "text",
        'is_private': "false",
        'source_format': "'youtube_api'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from source
