"""The simulated side of foxden: the demo fleet and, with ingest, its radios and stations."""
