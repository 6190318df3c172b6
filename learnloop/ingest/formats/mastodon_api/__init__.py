"""The mastodon_api export format: its reader (reader.py) and its dbt staging models (stg_*.sql)."""
