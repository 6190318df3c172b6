-- A backlog item exported again later (a ticket moved on, got resolved) counts once: the
-- most recently loaded version wins, ties broken by the later row in the file.
{{ latest_versions(ref('int_backlog_items__unioned'), 'backlog_items', ['source', 'key']) }}
