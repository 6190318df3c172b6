{#- When this dbt build started (dbt's run_started_at, one instant per invocation): the
    resolved_at and classified_at of the rows a build writes, and what the incremental models
    compare them with to find this build's rows. A build that resolved or classified nothing
    finds none, where "the newest resolved_at" would find the previous build's again: after
    a full refresh, every thread. -#}
{% macro this_build_started_at() -%}
    cast('{{ run_started_at }}' as timestamp with time zone)
{%- endmacro %}


{#- Pre-hook of an incremental model: delete the rows whose key is in `changed` (a relation
    with the same key columns), so that keys the new batch no longer produces disappear too.
    Outside an incremental build (first build, --full-refresh) there is nothing to delete. -#}
{% macro delete_changed_rows(changed, key_columns) -%}
    {%- if is_incremental() -%}
        delete from {{ this }}
        where ({{ key_columns | join(', ') }}) in (
            select {{ key_columns | join(', ') }} from {{ changed }}
        )
    {%- else -%}
        select 1
    {%- endif -%}
{%- endmacro %}


{#- The weeks to recompute when a weekly value also looks `following_weeks` weeks back (the
    topics' history): every week of int_weeks__changed and the `following_weeks` after it, as
    a subquery with one column, week_start. -#}
{% macro changed_weeks_and_following(following_weeks) -%}
    (
        select distinct {{ add_days('changed.week_start', 'following.weeks * 7') }} as week_start
        from {{ ref('int_weeks__changed') }} as changed
        cross join (
            values {% for weeks in range(following_weeks + 1) %}({{ weeks }}){{ ", " if not loop.last }}{% endfor %}
        ) as following (weeks)
    )
{%- endmacro %}


{#- A filter on an instant column: true for the instants in the weeks of `weeks` (a relation
    or subquery with a week_start column). The range test comes first and is a plain
    comparison with the column, so DuckDB skips the row groups of older weeks by their
    min/max statistics before it converts any instant to local time; a local Monday starts
    at most a day away from the same date at 00:00 UTC. -#}
{% macro instant_in_weeks(instant, weeks) -%}
    ({{ instant }} >= (select {{ add_days('min(week_start)', -1) }} from {{ weeks }} as lower_bound)
        and {{ local_week_start(instant) }} in (select week_start from {{ weeks }} as weeks_listed))
{%- endmacro %}


{#- In an incremental build, keep only the rows of `relation_alias` whose thread a build
    changed (int_conversations__changed); a full build keeps every row. The model declares
    the ref itself (its pre-hook or a `depends_on` comment): dbt does not see refs inside an
    is_incremental() branch when it parses. -#}
{% macro only_changed_threads(relation_alias) -%}
    {%- if is_incremental() %}
    inner join {{ ref('int_conversations__changed') }} as changed
        on changed.platform = {{ relation_alias }}.platform
        and changed.thread_id = {{ relation_alias }}.thread_id
    {%- endif %}
{%- endmacro %}
