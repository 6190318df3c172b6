-- Every tweet of the archive with what splits it: a retweet (text `RT @…`; the archive's
-- `retweeted` flag is false even for them) is neither post nor interaction; a reply is an
-- outbound interaction; the rest are the brand's posts. A reply to one of those posts sits
-- under it (post_id). The archive names no account: brand_handle is the one X handle under
-- [brand], if exactly one is configured.
with source as (
    select * from {{ source('x_archive_tweets', 'x_archive_tweets__tweets') }}
),

tweets as (
    select
        source.*,
        coalesce(source.text like 'RT @%', false) as is_retweet,
        source.in_reply_to_status_id is not null as is_reply
    from source
),

brand_posts as (
    select distinct tweet_id
    from tweets
    where not is_retweet and not is_reply
)

select
    tweets.*,
    not tweets.is_retweet and not tweets.is_reply as is_post,
    case
        when tweets.in_reply_to_status_id in (select tweet_id from brand_posts)
        then tweets.in_reply_to_status_id
    end as brand_post_id,
    {{ single_brand_handle('x') }} as brand_handle
from tweets
