"""The x_account_overview export format: its reader (reader.py) and its dbt staging models (stg_*.sql)."""
