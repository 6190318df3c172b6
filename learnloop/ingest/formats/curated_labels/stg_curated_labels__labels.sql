-- One row per curated label: a person's signal category for one interaction, named by its
-- id or URL. The platform column goes through the platform_aliases seed; a URL is resolved
-- to the interaction id it names (interaction_references), a bare id is taken as written.
with source as (
    select * from {{ source('curated_labels', 'curated_labels__labels') }}
),

platforms as (
    select alias, platform from {{ ref('platform_aliases') }}
)

select
    coalesce(
        platforms.platform,
        lower(source.platform_raw),
        {{ interaction_reference_platform('source.interaction_ref') }}
    ) as platform,
    source.interaction_ref,
    case
        when source.interaction_ref like 'http://%' or source.interaction_ref like 'https://%'
            then {{ interaction_reference_id('source.interaction_ref') }}
        -- `platform:id`, as in an insight register's evidence
        when {{ interaction_reference_platform('source.interaction_ref') }}
            = coalesce(platforms.platform, lower(source.platform_raw))
            then {{ interaction_reference_id('source.interaction_ref') }}
        else source.interaction_ref
    end as interaction_id,
    source.signal_category,
    source.rejection_reason,
    source._source_file as source_file,
    source._source_row as source_row,
    source._loaded_at as loaded_at
from source
left join platforms
    on platforms.alias = lower(source.platform_raw)
