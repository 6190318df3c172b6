-- Facebook posts from a Download-your-information export: the brand's own posts with a
-- publish time and text but no metrics (all NULL: unknown, not 0).
with source as (
    select * from {{ source('meta_dyi_posts', 'meta_dyi_posts__posts') }}
)

select
    {{ conform_posts({
        'platform': "'facebook'",
        'post_id': "post_id",
        'published_at': "published_at",
        'text': "text",
        'snapshot_at': "_loaded_at",
        'source_format': "'meta_dyi_posts'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from source
