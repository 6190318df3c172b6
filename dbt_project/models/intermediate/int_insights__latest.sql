-- The valid rows of the insight register, one per insight_id. A register is a living file
-- dropped again after edits: the most recently loaded version of an insight wins, ties (the
-- same id twice in one file) broken by the later row.
with ranked as (
    select
        *,
        row_number() over (
            partition by insight_id
            order by loaded_at desc, source_file desc, source_row desc
        ) as version_rank
    from {{ ref('stg_insight_register__insights') }}
    where rejection_reason is null
)

select
    insight_id, title, logged_at, category, evidence, status, action_ref, actioned_at,
    shipped_at, closed_loop_at, owner, notes, source_file, source_row, loaded_at
from ranked
where version_rank = 1
