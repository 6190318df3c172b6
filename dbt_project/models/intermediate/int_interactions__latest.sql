-- The same interaction exported twice (overlapping API pages, a later re-export) counts
-- once: the most recently loaded version wins, ties broken by the later row in the file.
-- Incremental: a build reads only rows loaded since the last build (every load's rows carry
-- a later loaded_at) and replaces the versions they supersede.
{{ config(
    materialized='incremental',
    unique_key=['platform', 'interaction_id'],
    incremental_strategy='delete+insert',
) }}

{{ latest_versions(
    ref('int_interactions__unioned'), 'interactions', ['platform', 'interaction_id'],
    since_last_build=is_incremental(),
) }}
