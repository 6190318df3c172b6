-- Every status with what staging needs to split it: whether the brand wrote it (configured
-- [brand] mastodon handles user@host, or account ids) and the brand post at the top of its
-- reply chain. Decided here rather than in the reader so that a change of the brand
-- configuration re-splits statuses already loaded.
with recursive source as (
    select * from {{ source('mastodon_api', 'mastodon_api__statuses') }}
),

brand_accounts as (
    select distinct lower(ltrim(trim(account), '@')) as account
    from {{ source('ops', 'brand_accounts') }}
    where lower(platform) = 'mastodon'
),

statuses as (
    select
        source.*,
        coalesce(
            lower(source.author_handle) in (select account from brand_accounts)
            or source.account_id in (select account from brand_accounts),
            false
        ) as is_brand,
        source.reblog_of_id is not null as is_boost
    from source
),

-- One reply link per status, however many files hold it.
links as (
    select distinct status_id, in_reply_to_id
    from source
),

-- Walk the reply links up as far as the loaded statuses reach.
ancestry (status_id, ancestor_id, depth) as (
    select status_id, status_id, 0
    from links

    union all

    select ancestry.status_id, parent.status_id, ancestry.depth + 1
    from ancestry
    inner join links as child
        on child.status_id = ancestry.ancestor_id
    inner join links as parent
        on parent.status_id = child.in_reply_to_id
    -- A reply cycle in broken data must not recurse forever.
    where ancestry.depth < 1000
),

roots as (
    select status_id, ancestor_id as root_id
    from (
        select
            status_id,
            ancestor_id,
            row_number() over (partition by status_id order by depth desc) as nearest_root
        from ancestry
    ) as ranked
    where nearest_root = 1
),

brand_posts as (
    select distinct status_id
    from statuses
    where is_brand and in_reply_to_id is null and not is_boost
        and coalesce(visibility, '') <> 'direct'
)

select
    statuses.*,
    statuses.is_brand
        and statuses.in_reply_to_id is null
        and not statuses.is_boost
        and coalesce(statuses.visibility, '') <> 'direct' as is_brand_post,
    case
        when roots.root_id <> statuses.status_id
            and roots.root_id in (select status_id from brand_posts)
        then roots.root_id
    end as brand_post_id
from statuses
left join roots
    on roots.status_id = statuses.status_id
