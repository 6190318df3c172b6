-- Meta Business Suite post exports: the brand's own posts with lifetime totals as of the
-- export. The file says no export time, so snapshot_at is the load time and a later export
-- of the same post replaces the earlier one in int_posts__latest.
with source as (
    select * from {{ source('meta_business_posts', 'meta_business_posts__posts') }}
)

select
    {{ conform_posts({
        'platform': "platform",
        'post_id': "case when platform = 'facebook' then account_id || '_' || post_id else post_id end",
        'account': "account_id",
        'published_at': "published_at",
        'permalink': "permalink",
        'text': "coalesce(description, title)",
        'reactions': "reactions",
        'comments': "comments",
        'shares': "shares",
        'clicks': "clicks",
        'impressions': "views",
        'snapshot_at': "_loaded_at",
        'source_format': "'meta_business_posts'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from source
