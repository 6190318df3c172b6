"""The meta_daily_insights export format: its reader (reader.py) and its dbt staging models (stg_*.sql)."""
