{#- One row per `keys` of a shape's union (`relation`): an item exported again later (a post
    with newer metrics, a ticket that moved on, an overlapping API page) counts once, and
    the most recently loaded version wins, ties broken by the later file name and the later
    row in the file. `newest_first` ranks before that (posts: the latest metric snapshot).
    Rows without the last key are dropped. `since_last_build` (an incremental model) reads
    only the rows loaded since the model was last built. -#}

{% macro latest_versions(relation, shape, keys, newest_first=none, since_last_build=false) -%}
with ranked as (
    select
        *,
        row_number() over (
            partition by {{ keys | join(', ') }}
            order by {{ newest_first ~ ', ' if newest_first }}loaded_at desc, source_file desc, source_row desc
        ) as version_rank
    from {{ relation }}
    where {{ keys[-1] }} is not null
    {%- if since_last_build %}
        and loaded_at > (select max(loaded_at) from {{ this }})
    {%- endif %}
)

select {{ column_list(shape) }}
from ranked
where version_rank = 1
{%- endmacro %}
