"""lexrepo's domain: models, stored originals, the Convention, ingestion and tagging.

Nothing in this package knows about HTTP or the command line.
"""
