-- The channel's daily net subscribers (gained - lost) from a Studio Totals.csv whose metric
-- is Subscribers; Totals of other metrics (Views, ...) are no follower figures. No total
-- subscriber count in the file, and no channel.
with days as (
    select * from {{ source('youtube_studio_totals', 'youtube_studio_totals__daily') }}
    where metric = 'Subscribers'
)

select
    {{ conform_followers({
        'platform': "'youtube'",
        'date': "date",
        'net_change': "value",
        'source_format': "'youtube_studio_totals'",
        'source_file': "_source_file",
        'source_row': "_source_row",
        'loaded_at': "_loaded_at",
    }) }}
from days
