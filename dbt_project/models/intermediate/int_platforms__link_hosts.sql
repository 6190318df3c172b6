-- The hosts a link to each platform's messages may point to: the seed platform_link_hosts
-- plus, for Mastodon (federated), the instances of the brand's own accounts
-- ([brand] mastodon = ["name@instance"]). An instance that is not a plain host name
-- ("a.b", labels of letters, digits and inner hyphens) is left out.
with mastodon_instances as (
    select distinct
        'mastodon' as platform,
        lower({{ regex_extract("ltrim(trim(account), '@')", '[^@]*$') }}) as host
    from {{ source('ops', 'brand_accounts') }}
    where lower(platform) = 'mastodon'
)

select platform, host from {{ ref('platform_link_hosts') }}
union
select platform, host from mastodon_instances
where {{ regex_extract('host', '^[a-z0-9]([a-z0-9-]*[a-z0-9])?([.][a-z0-9]([a-z0-9-]*[a-z0-9])?)+$') }}
    is not null
