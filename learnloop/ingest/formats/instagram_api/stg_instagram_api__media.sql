-- Instagram media objects: the brand's own posts with their lifetime likes and comments.
-- The media list does not name its account unless `username` was requested; then the one
-- configured [brand] instagram account stands in (ambiguous, so NULL, when several are).
with source as (
    select * from {{ source('instagram_api', 'instagram_api__items') }}
    where record_type = 'media'
),

brand as (
    select case when count(*) = 1 then min(account) end as account
    from {{ source('ops', 'brand_accounts') }}
    where lower(platform) = 'instagram'
)

select
    {{ conform_posts({
        'platform': "'instagram'",
        'post_id': "source.item_id",
        'account': "coalesce(source.username, brand.account)",
        'published_at': "source.created_at",
        'permalink': "source.permalink",
        'text': "source.text",
        'reactions': "source.like_count",
        'comments': "source.comments_count",
        'snapshot_at': "source._loaded_at",
        'source_format': "'instagram_api'",
        'source_file': "source._source_file",
        'source_row': "source._source_row",
        'loaded_at': "source._loaded_at",
    }) }}
from source
cross join brand
