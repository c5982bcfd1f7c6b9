"""Full-text search over provisions, behind a small backend interface.

The indexer never imports ``repository``: the repository hands it plain
:class:`~indexer.backend.ProvisionRecord` objects and asks it plain
:class:`~indexer.backend.SearchRequest` questions.
"""
from indexer.backend import (  # noqa: F401
    FACET_FIELDS,
    FILTER_FIELDS,
    ProvisionRecord,
    SearchBackend,
    SearchHit,
    SearchRequest,
    SearchResult,
)


def open_backend(index_dir, *, batch_size: int = 2000, result_cache_size: int = 256) -> "SearchBackend":
    """Open (creating if needed) the default Whoosh backend in ``index_dir``; it keeps the
    results of the last ``result_cache_size`` distinct searches of the current index."""
    from indexer.whoosh_backend import WhooshBackend

    return WhooshBackend(index_dir, batch_size=batch_size, result_cache_size=result_cache_size)
