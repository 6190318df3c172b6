-- Every post staging model's brand posts in one relation (docs/kpis.md: posts come from
-- analytics exports and from API dumps and archives that carry post fields). The list of
-- models is generated from the format registry (`make formats`).
{{ union_staging_models('posts') }}
