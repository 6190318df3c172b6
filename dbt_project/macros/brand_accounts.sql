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

{#- The configured [brand] accounts as staging and the marts match them: lower case, without
    a leading @ or surrounding spaces. For one platform a column `account`; without one,
    `platform` and `account` of every platform. -#}

{% macro brand_accounts(platform=none) -%}
    select distinct
        {%- if platform is none %}
        lower(platform) as platform,
        {%- endif %}
        lower(ltrim(trim(account), '@')) as account
    from {{ source('ops', 'brand_accounts') }}
    {%- if platform is not none %}
    where lower(platform) = '{{ platform }}'
    {%- endif %}
{%- endmacro %}

{#- Whether the brand wrote a row: one of `columns` (an id, a handle), lower-cased, is in the
    model's `brand_accounts` CTE (made with the macro above); false, never NULL, when the
    columns are empty. -#}

{% macro is_brand_author(columns) -%}
    coalesce(
        {%- for column in columns %}
        lower({{ column }}) in (select account from brand_accounts){{ " or" if not loop.last }}
        {%- endfor %},
        false
    )
{%- endmacro %}
