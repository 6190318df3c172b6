-- Every backlog export's items in one relation, in the canonical backlog shape (macro
-- conform_backlog_items). The list of models is generated from the format registry
-- (`make formats`): a new backlog tool's staging model joins by itself.
{{ union_staging_models('backlog_items') }}
