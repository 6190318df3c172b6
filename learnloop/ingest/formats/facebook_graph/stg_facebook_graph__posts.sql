-- Facebook page posts: the brand's own posts; metrics only where the export requested them.
with source as (
    select * from {{ source('facebook_graph', 'facebook_graph__items') }}
    where record_type = 'post'
)

select
    {{ conform_posts({
        'platform': "'facebook'",
        'post_id': "item_id",
        'account': "page_id",
        'published_at': "created_at",
        'permalink': "permalink",
        'text': "text",
        'reactions': "reactions_count",
        'comments': "comments_count",
        'shares': "shares_count",
        'snapshot_at': "_loaded_at",
        'source_format': "'facebook_graph'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from source
