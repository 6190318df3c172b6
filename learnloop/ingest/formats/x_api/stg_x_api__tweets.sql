-- Every tweet with what staging needs to split it: whether the brand wrote it (configured
-- [brand] x ids or handles, matched like the interactions mart does) and, for replies, the
-- brand post whose conversation they belong to. Decided here rather than in the reader so
-- that a change of the brand configuration re-splits tweets already loaded.
with source as (
    select * from {{ source('x_api', 'x_api__tweets') }}
),

brand_accounts as (
    select distinct lower(ltrim(trim(account), '@')) as account
    from {{ source('ops', 'brand_accounts') }}
    where lower(platform) = 'x'
),

-- The brand's user ids: configured ids, plus the ids behind configured handles (so a
-- reply to the brand is recognised by in_reply_to_user_id when only a handle is configured).
brand_user_ids as (
    select account as user_id from brand_accounts
    union
    select distinct source.author_id
    from source
    inner join brand_accounts
        on brand_accounts.account = lower(source.author_username)
    where source.author_id is not null
),

tweets as (
    select
        source.*,
        coalesce(
            source.author_id in (select user_id from brand_user_ids)
            or lower(source.author_username) in (select account from brand_accounts),
            false
        ) as is_brand
    from source
),

-- Conversations that a brand post started (conversation_id is the root tweet's id): the
-- root is in the data and the brand's, or a tweet answers the root and X says the root's
-- author is the brand.
brand_conversations as (
    select conversation_id
    from tweets
    where is_brand and tweet_id = conversation_id
    union
    select conversation_id
    from tweets
    where replied_to_id = conversation_id
        and in_reply_to_user_id in (select user_id from brand_user_ids)
)

select
    tweets.*,
    tweets.retweeted_id is not null as is_retweet,
    tweets.is_brand and tweets.replied_to_id is null and tweets.retweeted_id is null
        as is_brand_post,
    case
        when tweets.tweet_id <> tweets.conversation_id
            and tweets.conversation_id in (select conversation_id from brand_conversations)
        then tweets.conversation_id
    end as brand_post_id
from tweets
