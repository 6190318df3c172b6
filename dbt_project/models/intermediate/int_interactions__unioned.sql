-- Every staging model's interactions in one relation. Staging models share their columns
-- through conform_interactions, so this is a plain union; the list of models is generated
-- from the format registry (`make formats`).
{{ union_staging_models('interactions') }}
