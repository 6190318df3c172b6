"""The instagram_api export format: its declared data (format.yml), its reader (reader.py) and its dbt staging models (stg_*.sql)."""
