"""Road networks: ingestion, administrator tagging, routes and reports (no solvers)."""
