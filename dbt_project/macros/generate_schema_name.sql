{#- Schemas are named exactly as configured (staging, intermediate, analytics, reference),
    without dbt's default target-schema prefix: BI tools look for `analytics`. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
