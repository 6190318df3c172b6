"""The meta_dyi_posts export format: its reader (reader.py) and its dbt staging models (stg_*.sql)."""
