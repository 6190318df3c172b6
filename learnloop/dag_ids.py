"""Names shared by the DAG files and the code that runs them; importing this is free."""

MAIN_DAG_ID = "learnloop"
REPORT_DAG_ID = "learnloop_weekly_report"
WRITER_POOL = "learnloop_writer"
PUBLISHED_ASSET_NAME = "learnloop_published_warehouse"
