"""Query adapters: DuckDB views over verified segments, and the detection rule pack."""
