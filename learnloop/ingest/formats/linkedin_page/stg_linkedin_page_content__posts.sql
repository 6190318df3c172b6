-- The page's posts from the All posts sheet, lifetime metrics as of the export. The export
-- names no export time, so the load time is the snapshot; it names no page either, so the
-- account is unknown. Created date has no time of day: published_at is local midnight.
with posts as (
    select * from {{ source('linkedin_page_content', 'linkedin_page_content__posts') }}
)

select
    {{ conform_posts({
        'platform': "'linkedin'",
        'post_id': "post_id",
        'published_at': "created_at",
        'permalink': "post_link",
        'text': "post_title",
        'reactions': "likes",
        'comments': "comments",
        'shares': "reposts",
        'clicks': "clicks",
        'impressions': "impressions",
        'snapshot_at': "_loaded_at",
        'source_format': "'linkedin_page_content'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from posts
