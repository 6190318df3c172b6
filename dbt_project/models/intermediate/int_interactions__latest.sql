-- The same interaction exported twice (overlapping API pages, a later re-export) counts
-- once: the most recently loaded version wins, ties broken by the later row in the file.
-- Incremental: a build reads only rows loaded since the last build (every load's rows carry
-- a later loaded_at) and replaces the versions they supersede.
{{ config(
    materialized='incremental',
    unique_key=['platform', 'interaction_id'],
    incremental_strategy='delete+insert',
) }}

with ranked as (
    select
        *,
        row_number() over (
            partition by platform, interaction_id
            order by loaded_at desc, source_file desc, source_row desc
        ) as version_rank
    from {{ ref('int_interactions__unioned') }}
    where interaction_id is not null
    {% if is_incremental() %}
        and loaded_at > (select max(loaded_at) from {{ this }})
    {% endif %}
)

select {{ column_list('interactions') }}
from ranked
where version_rank = 1
