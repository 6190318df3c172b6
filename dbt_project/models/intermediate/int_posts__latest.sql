-- One row per post with its latest metric snapshot: exports report lifetime totals as of
-- their date, so a later export of the same post replaces the earlier one (docs/kpis.md).
{{ latest_versions(
    ref('int_posts__unioned'), 'posts', ['platform', 'post_id'],
    newest_first='snapshot_at desc nulls last',
) }}
