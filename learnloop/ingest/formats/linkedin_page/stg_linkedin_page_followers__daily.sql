-- New followers per day. LinkedIn's "Total followers" column of this sheet is the day's
-- total of NEW followers (sponsored + organic + auto-invited), not the follower count, and
-- the export reports no unfollows: net_change is the day's gains, followers unknown.
with days as (
    select * from {{ source('linkedin_page_followers', 'linkedin_page_followers__daily') }}
)

select
    {{ conform_followers({
        'platform': "'linkedin'",
        'date': "date",
        'net_change': "total_followers",
        'source_format': "'linkedin_page_followers'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from days
