-- Rows of the learning sources that were not used, with the reason: insight register rows
-- whose required fields are missing or unparseable (the file's other rows still load), and
-- curated labels with an invalid category or naming no known interaction.
with register_rows as (
    select
        'insight_register' as source_format,
        source_file,
        source_row,
        insight_id as reference,
        rejection_reason
    from {{ ref('stg_insight_register__insights') }}
    where rejection_reason is not null
),

label_rows as (
    select
        'curated_labels' as source_format,
        labels.source_file,
        labels.source_row,
        labels.interaction_ref as reference,
        coalesce(
            labels.rejection_reason,
            case
                when labels.interaction_id is null
                    then 'interaction ' || labels.interaction_ref || ' names no interaction'
                else 'interaction ' || labels.interaction_ref || ' matches no known interaction'
            end
        ) as rejection_reason
    from {{ ref('stg_curated_labels__labels') }} as labels
    left join {{ ref('int_interactions__latest') }} as interactions
        on interactions.platform = labels.platform
        and {{ interaction_reference_key('interactions.platform', 'interactions.interaction_id') }}
            = {{ interaction_reference_key('labels.platform', 'labels.interaction_id') }}
    where labels.rejection_reason is not null
        or interactions.interaction_id is null
)

select * from register_rows
union all
select * from label_rows
