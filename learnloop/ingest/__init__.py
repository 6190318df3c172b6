"""Ingest: discover landed files, recognise their format, load raw tables with lineage."""
