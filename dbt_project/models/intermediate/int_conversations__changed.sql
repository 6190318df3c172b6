-- The threads (as published: private ones pseudonymised like in `interactions`) whose
-- conversation this build may have changed: the current and the previous thread of every
-- interaction resolved in this build, and the thread of every interaction classified in
-- it (a category decides needs_reply). Incremental conversations and weekly models
-- recompute only these; after a full refresh every thread is listed.
with resolved as (
    select platform, thread_id, previous_thread_id, is_private
    from {{ ref('int_interactions__thread_roots') }}
    where resolved_at = {{ this_build_started_at() }}
),

-- Messages classified again in this build (their embedding arrived): needs_reply may change.
reclassified as (
    select roots.platform, roots.thread_id, roots.is_private
    from {{ ref('int_interactions__thread_roots') }} as roots
    inner join {{ ref('int_interactions__signals') }} as signals
        on signals.platform = roots.platform
        and signals.interaction_id = roots.interaction_id
    where signals.classified_at = {{ this_build_started_at() }}
),

threads as (
    select platform, thread_id, is_private from resolved
    union
    select platform, previous_thread_id, is_private from resolved
    where previous_thread_id is not null
    union
    select platform, thread_id, is_private from reclassified
),

salt as (
    select max(salt) as salt from {{ source('ops', 'privacy_salt') }}
)

select distinct
    threads.platform,
    case
        when threads.is_private
        then {{ sha256_hex16("salt.salt || threads.platform || ':dm:' || threads.thread_id") }}
        else threads.thread_id
    end as thread_id
from threads
cross join salt
