{#- Full builds in slices. A model whose working set grows with every row it reads (per-row
    token lists, list aggregates, windows over each message's rows: DuckDB cannot spill all of
    them) is built in slices of about `rows_per_slice` interactions, chosen by a hash of the
    interaction's key, so that its peak memory follows the slice, not the history
    (DECISIONLOG.md, "Thread roots by pointer jumping; signals' full build in slices"). The model's SQL filters on
    `slice_predicate(...)`, which selects slice 0; its post-hook `insert_other_slices()`
    runs the same compiled SQL for slices 1 to n-1 and appends their rows. An incremental
    build reads one day's rows and runs as one statement; so do unit tests and a history
    smaller than one slice. -#}


{#- How many slices a full build of the current model takes: the interactions in
    int_interactions__latest over `rows_per_slice`, rounded up; 1 for an incremental build,
    a unit test, at parse time and before the table exists. -#}
{% macro interaction_slices(rows_per_slice) -%}
    {%- if not execute or is_incremental() or model.resource_type != 'model' -%}
        {{ return(1) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(
        database=target.database, schema='intermediate', identifier='int_interactions__latest'
    ) -%}
    {%- if relation is none -%}
        {{ return(1) }}
    {%- endif -%}
    {%- set rows = run_query('select count(*) from ' ~ relation).columns[0].values()[0] -%}
    {{ return([1, ((rows + rows_per_slice - 1) // rows_per_slice) | int] | max) }}
{%- endmacro %}


{#- True for the rows of slice 0 of `slices` (always true for one slice). The comment names the
    slice for insert_other_slices, which rewrites it. -#}
{% macro slice_predicate(key_columns, slices) -%}
    {%- if slices > 1 -%}
        ({{ hash_bucket(key_columns, slices) }} = 0 /* slice 0 of {{ slices }} */)
    {%- else -%}
        true
    {%- endif -%}
{%- endmacro %}


{#- Post-hook: append slices 1 to n-1 of a sliced full build, each one statement over the
    model's compiled SQL with the slice number changed. The compiled SQL says whether the
    build was sliced (is_incremental() cannot: the table exists by now). -#}
{% macro insert_other_slices() -%}
    {%- if not execute -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set sliced = modules.re.search(' = 0 /[*] slice 0 of ([0-9]+) [*]/', compiled_code) -%}
    {%- if sliced is none -%}
        {{ return('select 1') }}
    {%- endif -%}
    {%- set slices = sliced.group(1) | int -%}
    {%- for slice in range(1, slices) -%}
        {%- set slice_sql = compiled_code.replace(
            ' = 0 /* slice 0 of ' ~ slices ~ ' */', ' = ' ~ slice ~ ' /* slice ' ~ slice ~ ' of ' ~ slices ~ ' */'
        ) -%}
        {%- do run_query('insert into ' ~ this ~ '\n' ~ slice_sql) -%}
    {%- endfor -%}
    {{ return('select 1') }}
{%- endmacro %}
