-- Every follower staging model's daily rows in one relation. The list of models is generated
-- from the format registry (`make formats`).
{{ union_staging_models('followers') }}
