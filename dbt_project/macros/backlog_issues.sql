{#- The backlog items of an issue tracker export (Jira, GitHub issues, Linear): their readers
    yield the same raw columns (learnloop/ingest/formats/backlog.py), so their staging models
    differ only in the tool's name and, where the tool says more, how status and done are
    read. Expects the staging model's CTE `source` left-joined to `done_statuses` (the seed
    backlog_done_statuses). -#}
{% macro backlog_issue_expressions(tool, status="source.status", is_done="done_statuses.status is not null") -%}
    {{ return({
        'source': "'" ~ tool ~ "'",
        'key': "source.item_key",
        'url': "source.url",
        'title': "source.title",
        'status': status,
        'is_done': is_done,
        'created_at': "source.created_at",
        'resolved_at': "source.resolved_at",
        'text': "concat_ws(' ', source.title, source.description)",
        'source_file': "source._source_file",
        'source_row': "source._source_row",
        'loaded_at': "source._loaded_at",
    }) }}
{%- endmacro %}
