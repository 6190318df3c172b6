"""The x_tweet_activity export format: its reader (reader.py) and its dbt staging models (stg_*.sql)."""
