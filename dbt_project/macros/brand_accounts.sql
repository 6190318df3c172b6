{#- The one brand handle configured for a platform ([brand] in learnloop.toml), for exports
    that name no account (X's account overview, the archive's tweets.js): a scalar subquery,
    NULL unless exactly one configured entry is a handle (not all digits, i.e. not an id). -#}

{% macro single_brand_handle(platform) -%}
    (
        select case when count(*) = 1 then min(account) end
        from {{ source('ops', 'brand_accounts') }}
        where lower(platform) = '{{ platform }}'
            and translate(account, '0123456789', '') <> ''
    )
{%- endmacro %}
