"""Names shared by the DAG files and the code that runs them; importing this is free."""

MAIN_DAG_ID = "learnloop"
# Writes (and mails) the weekly report; scheduled on the Asset that `publish` updates.
REPORT_DAG_ID = "learnloop_weekly_report"
WRITER_POOL = "learnloop_writer"
PUBLISHED_ASSET_NAME = "learnloop_published_warehouse"

# The `learnloop` DAG's params (a run's conf: `learnloop run --full-refresh`, `learnloop forget`).
FULL_REFRESH_PARAM = "full_refresh"
FORGET_MEMBER_PARAM = "forget_member_key"
FORGET_PLATFORM_PARAM = "forget_platform"
