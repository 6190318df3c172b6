"""The meta_dyi_messages export format: its reader (reader.py) and its dbt staging models (stg_*.sql)."""
