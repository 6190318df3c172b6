"""Quality gates: Great Expectations Core suites (kept as code in expectations/) run in SQL."""
