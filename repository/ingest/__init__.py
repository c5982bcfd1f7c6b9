"""The ingestion pipeline: extract -> segment into provisions -> store -> index."""
