-- Every loaded post with what staging needs to split it: whether the brand wrote it
-- (configured [brand] bluesky DIDs or handles) and the brand post its thread hangs under.
-- A reply names its thread's root in reply.root, so no walk up the chain is needed; the
-- root's author is the DID inside its AT URI. Decided here rather than in the reader so
-- that a change of the brand configuration re-splits posts already loaded.
with source as (
    select * from {{ source('bluesky_api', 'bluesky_api__posts') }}
),

brand_accounts as (
    select distinct lower(ltrim(trim(account), '@')) as account
    from {{ source('ops', 'brand_accounts') }}
    where lower(platform) = 'bluesky'
),

posts as (
    select
        source.*,
        coalesce(
            lower(source.author_did) in (select account from brand_accounts)
            or lower(source.author_handle) in (select account from brand_accounts),
            false
        ) as is_brand,
        source.reposted_by_did is not null as is_repost
    from source
),

-- DIDs of the brand: configured, or those of loaded posts by a configured handle.
brand_dids as (
    select account as did from brand_accounts where account like 'did:%'
    union
    select lower(author_did) from posts where is_brand
)

select
    posts.*,
    posts.is_brand and posts.reply_parent_uri is null as is_brand_post,
    case
        when lower(split_part(posts.reply_root_uri, '/', 3)) in (select did from brand_dids)
        then posts.reply_root_uri
    end as brand_post_id
from posts
