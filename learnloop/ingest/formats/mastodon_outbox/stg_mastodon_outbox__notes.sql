-- The statuses the account wrote (Create activities; boosts are neither posts nor
-- interactions), with the status each replies to under the id mastodon_api uses, so that a
-- reply in the archive joins the thread of the status it answers:
-- 1. the id the Mastodon API gave the status with that URI, where API data is loaded;
-- 2. else the id in the URI when the status lives on the account's own instance (the
--    instance's API ids are the ids in its URIs);
-- 3. else the URI itself (a remote status not loaded: the reply starts its own thread).
with activities as (
    select * from {{ source('mastodon_outbox', 'mastodon_outbox__activities') }}
    where activity_type = 'Create'
),

api_ids as (
    select uri, min(status_id) as status_id
    from {{ source('mastodon_api', 'mastodon_api__statuses') }}
    where uri is not null
    group by uri
),

notes as (
    select
        activities.*,
        case
            when activities.in_reply_to is not null
            then coalesce(api_ids.status_id, activities.in_reply_to_local_id, activities.in_reply_to)
        end as parent_id,
        activities.in_reply_to is null
            and coalesce(activities.visibility, '') <> 'direct' as is_brand_post
    from activities
    left join api_ids
        on api_ids.uri = activities.in_reply_to
),

-- The brand's posts known from this archive or from API data.
brand_posts as (
    select status_id from notes where is_brand_post
    union
    select status_id from {{ ref('stg_mastodon_api__statuses') }} where is_brand_post
)

select
    notes.*,
    case when notes.parent_id in (select status_id from brand_posts) then notes.parent_id end
        as brand_post_id
from notes
