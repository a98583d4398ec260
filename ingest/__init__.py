"""Ingest adapters: file watchers, tailers and parsers that turn log lines into record batches."""
