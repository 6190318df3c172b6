{#- Aggregates and arithmetic whose spelling differs per engine. -#}

{#- Continuous (interpolating) quantile, as docs/kpis.md's quantile_cont. -#}
{% macro quantile_cont(expression, fraction) -%}
    {{ return(adapter.dispatch('quantile_cont', 'learnloop')(expression, fraction)) }}
{%- endmacro %}

{% macro default__quantile_cont(expression, fraction) -%}
    percentile_cont({{ fraction }}) within group (order by {{ expression }})
{%- endmacro %}

{% macro duckdb__quantile_cont(expression, fraction) -%}
    quantile_cont({{ expression }}, {{ fraction }})
{%- endmacro %}


{#- numerator / denominator as a double; NULL when the denominator is 0 or NULL. -#}
{% macro safe_divide(numerator, denominator) -%}
    (cast({{ numerator }} as {{ learnloop.type_double() }}) / nullif({{ denominator }}, 0))
{%- endmacro %}

{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'learnloop')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double precision{%- endmacro %}

{% macro duckdb__type_double() -%}double{%- endmacro %}


{#- First 16 hex characters of SHA-256: the member_key pseudonym (docs/kpis.md, Privacy). -#}
{% macro sha256_hex16(expression) -%}
    {{ return(adapter.dispatch('sha256_hex16', 'learnloop')(expression)) }}
{%- endmacro %}

{% macro default__sha256_hex16(expression) -%}
    substr(sha2({{ expression }}, 256), 1, 16)
{%- endmacro %}

{% macro duckdb__sha256_hex16(expression) -%}
    substr(sha256({{ expression }}), 1, 16)
{%- endmacro %}


{#- An embedding or head weight list as a fixed-size float vector (384 dimensions). -#}
{% macro vector_from_list(expression) -%}
    {{ return(adapter.dispatch('vector_from_list', 'learnloop')(expression)) }}
{%- endmacro %}

{% macro default__vector_from_list(expression) -%}
    {{ exceptions.raise_compiler_error('vector_from_list: no implementation for ' ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__vector_from_list(expression) -%}
    cast({{ expression }} as float[384])
{%- endmacro %}


{#- The inner product of two vectors of vector_from_list(). -#}
{% macro vector_dot(left, right) -%}
    {{ return(adapter.dispatch('vector_dot', 'learnloop')(left, right)) }}
{%- endmacro %}

{% macro default__vector_dot(left, right) -%}
    {{ exceptions.raise_compiler_error('vector_dot: no implementation for ' ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__vector_dot(left, right) -%}
    array_inner_product({{ left }}, {{ right }})
{%- endmacro %}


{#- The value of `expression` on the row where `ordering` is largest, in a group by. -#}
{% macro arg_max(expression, ordering) -%}
    {{ return(adapter.dispatch('arg_max', 'learnloop')(expression, ordering)) }}
{%- endmacro %}

{% macro default__arg_max(expression, ordering) -%}
    (array_agg({{ expression }} order by {{ ordering }} desc))[1]
{%- endmacro %}

{% macro duckdb__arg_max(expression, ordering) -%}
    arg_max({{ expression }}, {{ ordering }})
{%- endmacro %}



{#- An aggregate: the values of `expression` in a group, as a list sorted by `ordering`. -#}
{% macro ordered_list(expression, ordering) -%}
    {{ return(adapter.dispatch('ordered_list', 'learnloop')(expression, ordering)) }}
{%- endmacro %}

{% macro default__ordered_list(expression, ordering) -%}
    array_agg({{ expression }} order by {{ ordering }})
{%- endmacro %}

{% macro duckdb__ordered_list(expression, ordering) -%}
    list({{ expression }} order by {{ ordering }})
{%- endmacro %}


{#- An aggregate: the element-wise sum of the lists of a group (all of one length). -#}
{% macro sum_lists(expression) -%}
    {{ return(adapter.dispatch('sum_lists', 'learnloop')(expression)) }}
{%- endmacro %}

{% macro default__sum_lists(expression) -%}
    {{ exceptions.raise_compiler_error('sum_lists: no implementation for ' ~ adapter.type()) }}
{%- endmacro %}

{% macro duckdb__sum_lists(expression) -%}
    list_reduce(
        list({{ expression }}),
        lambda total, addend: list_transform(list_zip(total, addend), lambda pair: pair[1] + pair[2])
    )
{%- endmacro %}


{#- A bucket number in 0..buckets-1 from a hash of the columns (the same row, the same bucket). -#}
{% macro hash_bucket(columns, buckets) -%}
    {{ return(adapter.dispatch('hash_bucket', 'learnloop')(columns, buckets)) }}
{%- endmacro %}

{% macro default__hash_bucket(columns, buckets) -%}
    mod(abs(cast(hashtext(concat_ws('|', {{ columns | join(', ') }})) as bigint)), {{ buckets }})
{%- endmacro %}

{% macro duckdb__hash_bucket(columns, buckets) -%}
    (hash({{ columns | join(', ') }}) % {{ buckets }})
{%- endmacro %}
