-- One human label per interaction (docs/kpis.md, Signals: a person's category overrides the
-- automatic one). Valid label rows are matched to the interactions they name (Facebook on
-- the comment number, see interaction_reference_key); when the same interaction is labelled
-- twice, the last label wins: the most recently loaded file, then the later row in it.
with labels as (
    select * from {{ ref('stg_curated_labels__labels') }}
    where rejection_reason is null
        and interaction_id is not null
),

interactions as (
    select
        platform,
        interaction_id,
        {{ interaction_reference_key('platform', 'interaction_id') }} as reference_key
    from {{ ref('int_interactions__latest') }}
),

matched as (
    select
        interactions.platform,
        interactions.interaction_id,
        labels.signal_category,
        labels.source_file,
        labels.source_row,
        labels.loaded_at,
        row_number() over (
            partition by interactions.platform, interactions.interaction_id
            order by labels.loaded_at desc, labels.source_file desc, labels.source_row desc
        ) as label_rank
    from labels
    inner join interactions
        on interactions.platform = labels.platform
        and interactions.reference_key
            = {{ interaction_reference_key('labels.platform', 'labels.interaction_id') }}
)

select platform, interaction_id, signal_category, source_file, source_row, loaded_at
from matched
where label_rank = 1
