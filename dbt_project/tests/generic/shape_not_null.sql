{#- The columns every staging model of `shape` must fill (Shape.not_null in
    learnloop/ingest/formats/canonical.py) hold no NULL in the shape's union of staging
    models: one test, and one dbt node, for all of them. Its rows name the source (`by`, e.g.
    source_format) of the rows with NULLs, so a failure still says which format is wrong. -#}
{% test shape_not_null(model, shape, by) %}
{{ test_not_null_columns(model, shape_not_null_columns(shape), by) }}
{% endtest %}
