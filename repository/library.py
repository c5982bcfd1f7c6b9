"""The domain API of lexrepo: one object that the CLI and the web app call.

``Library`` owns the database engine, the blob store and the search backend, and is
the single writer of the index.
"""
from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from indexer import SearchRequest, SearchResult, open_backend
from indexer.backend import SearchBackend
from repository.blobs import BlobStore, sha256_of
from repository.config import Settings
from repository.convention import convention_article_run, convention_texts, load_convention, looks_like_convention
from repository.countries import all_countries
from repository.db import make_engine, make_session_factory, transaction
from repository.indexing import (
    current_document_ids, current_version_ids, indexable_provision_ids, iter_all_records, records_for_document,
)
from repository.tagging.apply import store_suggestions, views_for_provisions
from repository.tagging.lexicon import concepts_in_query
from repository.tagging.tagger import ConventionSimilarity, Tagger
from repository.ingest.document import ProvisionDraft
from repository.ingest.metadata import DocumentMetadata, complete_metadata, load_manifest
from repository.ingest.pipeline import (
    FileOutcome, IngestReport, Prepared, Stopwatch, default_workers, find_files, prepare_all,
)
from repository.models import (
    ArticleTag, ConventionArticle, ConventionChapter, Country, Document, Provision, TagStatus, Version,
)
from repository import schema


class LibraryError(Exception):
    """A domain error with a message meant for the user."""


@dataclass
class Stats:
    documents: int
    versions: int
    provisions: int
    indexed: int
    by_country: list[tuple[str, int, int]]   # (country or "international", documents, provisions)
    by_language: list[tuple[str, int, int]]  # (language, documents, provisions)


@dataclass
class DriftReport:
    missing_from_index: set[int]
    stale_in_index: set[int]

    @property
    def clean(self) -> bool:
        return not self.missing_from_index and not self.stale_in_index


class Library:
    def __init__(self, settings: Settings):
        self.settings = settings
        self.engine = make_engine(settings.resolved_database_url)
        self.sessions = make_session_factory(self.engine)
        self.blobs = BlobStore(settings.resolved_blob_dir)
        self._index: SearchBackend | None = None
        self._tagger: Tagger | None = None
        self._country_names: dict[str, str] | None = None  # reference data: loaded by init, never changed

    # -- set-up ---------------------------------------------------------------------------

    @property
    def index(self) -> SearchBackend:
        if self._index is None:
            self._index = open_backend(self.settings.resolved_index_dir, batch_size=self.settings.index_batch_size,
                                       result_cache_size=self.settings.search_cache_size)
        return self._index

    def init(self) -> None:
        """Create or migrate the schema and load the reference data (idempotent)."""
        schema.upgrade(self.engine)
        convention = load_convention()
        with transaction(self.sessions) as session:
            known = set(session.scalars(select(Country.code)))
            session.add_all(
                Country(code=code, name=name, region=region)
                for code, name, region in all_countries() if code not in known
            )
            known_chapters = set(session.scalars(select(ConventionChapter.number)))
            for position, chapter in enumerate(convention.chapters, start=1):
                if chapter.number not in known_chapters:
                    session.add(ConventionChapter(number=chapter.number, title=chapter.title, position=position))
            session.flush()
            known_articles = set(session.scalars(select(ConventionArticle.number)))
            session.add_all(
                ConventionArticle(number=a.number, title=a.title, chapter=a.chapter, obligation=a.obligation)
                for a in convention.articles if a.number not in known_articles
            )
        self.index  # create the index directory

    def close(self) -> None:
        if self._index is not None:
            self._index.close()
            self._index = None
        self.engine.dispose()

    def __enter__(self) -> "Library":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- ingestion ------------------------------------------------------------------------

    def ingest(
        self,
        path: str | Path,
        manifest: str | Path | None = None,
        workers: int | None = None,
        on_file: Callable[[FileOutcome], None] | None = None,
        on_start: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Ingest a file or a folder of files; each file is one document, identified by its path."""
        root = Path(path)
        if not root.exists():
            raise LibraryError(f"no such file or folder: {root}")
        entries = load_manifest(manifest) if manifest else {}
        self._require_countries({source: meta.country for source, meta in entries.items() if meta.country})
        clock = Stopwatch()
        report = IngestReport()
        files = find_files(root)
        if on_start:
            on_start(len(files))

        def done(outcome: FileOutcome) -> None:
            report.outcomes.append(outcome)
            if on_file:
                on_file(outcome)

        jobs = []
        refreshed: list[int] = []  # unchanged files whose manifest metadata changed
        for file_path, source in files:
            size = file_path.stat().st_size
            if size > self.settings.max_file_bytes:
                done(FileOutcome(source, "skipped", f"too large: {size} bytes (limit {self.settings.max_file_bytes})"))
                continue
            data = file_path.read_bytes()
            given = entries.get(source)
            unchanged, document_id = self._unchanged(source, sha256_of(data), given)
            if unchanged:
                if document_id is not None:
                    refreshed.append(document_id)
                done(FileOutcome(source, "unchanged"))
                continue
            jobs.append((source, file_path.name, data, given.language if given else ""))

        # Store every file first, then tag (the Convention's text may arrive in the same
        # batch and the similarity signal needs it), then index: three passes, one writer.
        stored: list[int] = []
        for source, result in prepare_all(jobs, workers or default_workers()):
            if isinstance(result, tuple):
                done(FileOutcome(source, result[0], result[1]))
                continue
            outcome, document_id = self._store(result, entries.get(source))
            if document_id is not None:
                stored.append(document_id)
            done(outcome)
        self._tag_documents(stored)
        report.indexed = self._index_documents(stored + refreshed)
        report.seconds = clock.seconds
        return report

    def _unchanged(self, source: str, digest: str, given: DocumentMetadata | None) -> tuple[bool, int | None]:
        """Whether these bytes are already stored for ``source``; and the document's id when a
        corrected manifest changed its metadata (so its index entries must be refreshed)."""
        with transaction(self.sessions) as session:
            document = session.scalar(select(Document).where(Document.source == source))
            if document is None or not any(version.sha256 == digest for version in document.versions):
                return False, None
            if given is not None and self._apply_metadata(document, given):
                return True, document.id
            return True, None

    @staticmethod
    def _apply_metadata(document: Document, meta: DocumentMetadata) -> bool:
        """Copy metadata onto the document; return whether anything changed."""
        values = {
            "title": meta.title or document.title, "short_title": meta.short_title, "country_code": meta.country,
            "doc_type": meta.doc_type, "language": meta.language or document.language, "year": meta.year,
            "date_adopted": meta.date_adopted, "status": meta.status, "official_url": meta.official_url,
            "provenance": meta.provenance,
        }
        changed = False
        for name, value in values.items():
            if getattr(document, name) != value:
                setattr(document, name, value)
                changed = True
        return changed

    def _store(self, prepared: Prepared, given: DocumentMetadata | None) -> tuple[FileOutcome, int | None]:
        # The worker already settled the language (manifest, file, or a guess): reuse it.
        found = {**prepared.extracted.metadata, "language": prepared.language}
        meta = complete_metadata(given, found, prepared.source, prepared.extracted.text)
        pages = prepared.extracted.page_count
        if not prepared.drafts and meta.legal_text:
            return FileOutcome(prepared.source, "skipped", "no provisions found in the text", pages=pages), None
        digest = self.blobs.put(prepared.data)  # the original is kept before anything refers to it
        with transaction(self.sessions) as session:
            document = session.scalar(select(Document).where(Document.source == prepared.source))
            status = "new version"
            if document is None:
                document = Document(source=prepared.source, title=meta.title, language=meta.language)
                session.add(document)
                status = "ingested"
            self._apply_metadata(document, meta)
            session.flush()
            seq = (session.scalar(select(func.max(Version.seq)).where(Version.document_id == document.id)) or 0) + 1
            version = Version(
                document_id=document.id, seq=seq, sha256=digest, media_type=prepared.extracted.media_type,
                original_filename=prepared.filename, size=len(prepared.data), page_count=pages,
                extracted_text=prepared.extracted.text, extracted_metadata=dict(prepared.extracted.metadata),
            )
            session.add(version)
            session.flush()
            link_convention = looks_like_convention(document.title, prepared.extracted.text[:5000])
            _ids, is_convention = self._insert_provisions(session, version.id, prepared.drafts, link_convention)
            if is_convention:
                self._tagger = None  # the similarity signal must see the new Convention text
            document_id = document.id
        outcome = FileOutcome(
            prepared.source, status, document_id=document_id, version_seq=seq,
            provisions=len(prepared.drafts), pages=pages,
        )
        return outcome, document_id

    def _require_countries(self, countries: dict[str, str]) -> None:
        """Refuse a manifest naming a country the library does not know (one query for all)."""
        if not countries:
            return
        with self.sessions() as session:
            known = set(session.scalars(select(Country.code).where(Country.code.in_(set(countries.values())))))
        for source, code in countries.items():
            if code not in known:
                raise LibraryError(f"{source}: unknown country {code!r} (run `lexrepo init`, or use ISO 3166 alpha-3)")

    @staticmethod
    def _insert_provisions(session: Session, version_id: int, drafts: list[ProvisionDraft], link_convention: bool) -> tuple[list[int], bool]:
        """Bulk-insert drafts in order, then set parents (ids are only known after the insert).

        Returns the new ids and whether the drafts are the Convention's own text.
        """
        if not drafts:
            return [], False
        articles = {}
        if link_convention:
            run = convention_article_run([d.number if d.kind == "article" else None for d in drafts])
            if len(run) >= 60:  # a full convention, not an approving law's three articles
                articles = {position: int(drafts[position].number) for position in run}
        rows = [
            {
                "version_id": version_id, "position": position, "kind": draft.kind, "number": draft.number,
                "label": draft.label[:300], "heading": draft.heading, "text": draft.text,
                "page_start": draft.page_start, "page_end": draft.page_end, "anchor": draft.anchor,
                "convention_article": articles.get(position),
            }
            for position, draft in enumerate(drafts)
        ]
        ids = list(session.scalars(
            insert(Provision).returning(Provision.id, sort_by_parameter_order=True), rows,
        ))

        parents = [
            {"id": ids[position], "parent_id": ids[draft.parent]}
            for position, draft in enumerate(drafts) if draft.parent is not None
        ]
        if parents:
            session.execute(update(Provision), parents)
        return ids, bool(articles)

    # -- tagging --------------------------------------------------------------------------

    def tagger(self, session: Session | None = None) -> Tagger:
        """The tagger, with the Convention's article texts as stored in the library."""
        if self._tagger is None:
            with nullcontext(session) if session is not None else self.sessions() as reading:
                self._tagger = Tagger(ConventionSimilarity(convention_texts(reading)))
        return self._tagger

    def tag(self, document_ids: list[int] | None = None, on_document: Callable[[int], None] | None = None) -> int:
        """Re-tag the current version of the given documents (all when None) and refresh their
        index entries; return the number of suggestions stored.

        Tags that staff confirmed or rejected are kept, and never suggested again.
        """
        with self.sessions() as session:
            targets = document_ids if document_ids is not None else current_document_ids(session)
            missing = [i for i in targets if session.get(Document, i) is None]
        if missing:
            raise LibraryError(f"no document with id {missing[0]}")
        stored = self._tag_documents(targets, on_document)
        self._index_documents(targets)
        return stored

    def _tag_documents(self, document_ids: list[int], on_document: Callable[[int], None] | None = None) -> int:
        stored = 0
        for document_id in document_ids:
            with transaction(self.sessions) as session:
                document = session.get(Document, document_id)
                version = document.current_version if document is not None else None
                if version is not None:
                    provisions = list(version.provisions)
                    # The Convention's own text is linked to its articles, not tagged.
                    if not any(p.convention_article for p in provisions):
                        views = views_for_provisions(provisions, document.language)
                        stored += store_suggestions(session, self.tagger(session), [p.id for p in provisions], views)
            if on_document:
                on_document(document_id)
        return stored

    def _index_documents(self, document_ids: list[int]) -> int:
        """Replace the index entries of these documents in one writer session."""
        indexed = 0
        with self.index.writer() as index_writer, self.sessions() as session:
            for document_id in dict.fromkeys(document_ids):
                # Delete first: that takes the index's write lock before the rows are read, so
                # with several writing processes the last one to write also read last (no stale tags).
                index_writer.delete_document(document_id)
                records = records_for_document(session, document_id)
                index_writer.add(records)
                indexed += len(records)
                session.expunge_all()
        return indexed

    def article_tags(self) -> list[dict]:
        """Every provision's tags (current versions), for export."""
        with self.sessions() as session:
            rows = session.execute(
                select(Document.source, Provision.number, Provision.anchor, ArticleTag)
                .join(Version, Version.document_id == Document.id)
                .join(Provision, Provision.version_id == Version.id)
                .join(ArticleTag, ArticleTag.provision_id == Provision.id)
                .where(Version.id.in_(current_version_ids()))
                .order_by(Document.source, Provision.position, ArticleTag.confidence.desc())
            ).all()
        provisions: dict[tuple[str, str], dict] = {}
        for source, number, anchor, tag in rows:
            entry = provisions.setdefault((source, anchor), {"source": source, "number": number, "anchor": anchor, "articles": []})
            entry["articles"].append({
                "article": tag.article, "paragraph": tag.paragraph or None, "status": tag.status.value,
                "confidence": tag.confidence, "origin": tag.origin.value, "explanation": tag.explanation,
            })
        return list(provisions.values())

    def predicted_articles(self, keys: list[tuple[str, str]]) -> dict[tuple[str, str], set[int] | None]:
        """Articles tagged (suggested or confirmed) on the provisions named by (source, number)."""
        wanted = set(keys)
        sources = {source for source, _ in keys}
        found: dict[tuple[str, str], set[int] | None] = {}
        with self.sessions() as session:
            rows = session.execute(
                select(Document.source, Provision.number, Provision.id)
                .join(Version, Version.document_id == Document.id)
                .join(Provision, Provision.version_id == Version.id)
                .where(Version.id.in_(current_version_ids()), Document.source.in_(sources))
            ).all()
            ids = {}
            for source, number, provision_id in rows:
                if (source, number) in wanted and (source, number) not in ids:
                    ids[(source, number)] = provision_id
            tags: dict[int, set[int]] = {}
            for provision_id, article in session.execute(
                select(ArticleTag.provision_id, ArticleTag.article)
                .where(ArticleTag.provision_id.in_(list(ids.values())), ArticleTag.status != TagStatus.REJECTED)
            ):
                tags.setdefault(provision_id, set()).add(article)
        for key in keys:
            found[key] = tags.get(ids[key], set()) if key in ids else None
        return found

    def predict_articles(self, keys: list[tuple[str, str]], signals: frozenset[str]) -> dict[tuple[str, str], set[int] | None]:
        """Tag the named provisions afresh in memory with only ``signals`` (nothing is stored)."""
        tagger = Tagger(self.tagger().similarity, signals=signals)
        wanted = set(keys)
        found: dict[tuple[str, str], set[int] | None] = {key: None for key in keys}
        with self.sessions() as session:
            documents = session.scalars(select(Document).where(Document.source.in_({s for s, _ in keys}))).all()
            for document in documents:
                provisions = list(document.current_version.provisions)
                views = views_for_provisions(provisions, document.language)
                for provision, view in zip(provisions, views):
                    key = (document.source, provision.number)
                    if key in wanted and found[key] is None:
                        found[key] = {s.article for s in tagger.suggest(view)}
        return found

    # -- index ----------------------------------------------------------------------------

    def reindex(self, on_document: Callable[[int], None] | None = None) -> int:
        """Rebuild the whole index from the database; return the number of provisions indexed."""
        total = 0
        with self.index.writer() as index_writer, self.sessions() as session:
            index_writer.clear()
            for records in iter_all_records(session):
                index_writer.add(records)
                total += len(records)
                if on_document:
                    on_document(len(records))
        return total

    def check(self) -> DriftReport:
        """Compare the database with the index."""
        with self.sessions() as session:
            expected = indexable_provision_ids(session)
        actual = self.index.provision_ids()
        return DriftReport(missing_from_index=expected - actual, stale_in_index=actual - expected)

    def delete_document(self, document_id: int) -> None:
        """Delete a document, its versions and provisions (the stored originals are kept);
        recorded in the audit log as a change made without a signed-in user."""
        from repository.editing import delete_document

        delete_document(self, document_id)

    def update_document(self, document_id: int, **changes) -> None:
        """Change a document's metadata and refresh its index entries (audited, see
        :func:`repository.editing.edit_document`)."""
        from repository.editing import edit_document

        edit_document(self, document_id, changes)

    def refresh_index(self, document_id: int) -> None:
        self._index_documents([document_id])

    def refresh_indexes(self, document_ids: list[int]) -> int:
        """Replace the index entries of these documents (one writer session); return records written."""
        return self._index_documents(document_ids)

    # -- uploads (staff; see repository/uploads.py and repository/jobs.py) ------------------

    def store_prepared(self, prepared: Prepared, given: DocumentMetadata | None) -> FileOutcome:
        """Store one extracted file as a version of the document ``prepared.source`` (not tagged
        or indexed: the caller does both). Bytes already stored for that document are not
        stored again: the outcome is "unchanged" with the existing version."""
        digest = sha256_of(prepared.data)
        with self.sessions() as session:
            existing = session.execute(
                select(Document.id, Version.seq).join(Version, Version.document_id == Document.id)
                .where(Document.source == prepared.source, Version.sha256 == digest)
            ).first()
        if existing is not None:
            return FileOutcome(prepared.source, "unchanged", document_id=existing[0], version_seq=existing[1])
        return self._store(prepared, given)[0]

    def tag_documents(self, document_ids: list[int]) -> int:
        """Suggest tags for these documents' current versions (staff decisions kept); not indexed."""
        return self._tag_documents(document_ids)

    # -- reading --------------------------------------------------------------------------

    def search(self, request: SearchRequest, expand: bool = True) -> SearchResult:
        """Search provisions; with ``expand``, a query naming an UNCAC concept in any language
        also finds provisions tagged with that article or using that concept's terms."""
        request.limit = max(1, min(request.limit, self.settings.search_limit_max))
        if expand and request.query.strip() and not (request.expand_articles or request.expand_terms):
            request.expand_articles, request.expand_terms = concepts_in_query(request.query)
        return self.index.search(request)

    def stats(self) -> Stats:
        with self.sessions() as session:
            documents = session.scalar(select(func.count(Document.id))) or 0
            versions = session.scalar(select(func.count(Version.id))) or 0
            current = current_version_ids()
            provisions = session.scalar(
                select(func.count(Provision.id)).where(Provision.version_id.in_(current))
            ) or 0

            def grouped(column):
                provision_counts = dict(session.execute(
                    select(column, func.count(Provision.id))
                    .join(Version, Version.document_id == Document.id)
                    .join(Provision, Provision.version_id == Version.id)
                    .where(Version.id.in_(current))
                    .group_by(column)
                ).all())
                document_counts = session.execute(
                    select(column, func.count(Document.id)).group_by(column).order_by(column)
                ).all()
                return [(key or "international", count, provision_counts.get(key, 0)) for key, count in document_counts]

            by_country = grouped(Document.country_code)
            by_language = grouped(Document.language)
        return Stats(documents, versions, provisions, self.index.count(), by_country, by_language)


    def citations(self, provision_ids: list[int]) -> list["Citation"]:
        """Pinpoint citations of these provisions (any version), in the order given."""
        from repository.citations import citations_for

        with self.sessions() as session:
            return citations_for(session, provision_ids)

    # -- coverage (repository/coverage.py): which provisions implement which article ----------

    def _reading(self, function, *args, **kwargs):
        with self.sessions() as session:
            return function(session, *args, **kwargs)

    def articles(self) -> list["ArticleSummary"]:
        """Every UNCAC article with its numbers of implementing provisions and countries."""
        from repository import coverage
        return self._reading(coverage.articles)

    def chapters(self) -> list["ChapterInfo"]:
        from repository import coverage
        return self._reading(coverage.chapters)

    def convention_text(self, article: int) -> dict[str, "ConventionText"]:
        """The Convention's own text of an article, by language."""
        from repository import coverage
        return self._reading(coverage.convention_text, article)

    def article_implementations(self, article: int, countries: list[str] | None = None,
                                with_text: bool = False) -> list["CountryGroup"]:
        """Provisions implementing an article, grouped by country (current versions)."""
        from repository import coverage
        return self._reading(coverage.article_implementations, article, countries, with_text)

    def country(self, code: str) -> "CountryInfo | None":
        from repository import coverage
        return self._reading(coverage.country, code)

    def countries(self) -> list["CountrySummary"]:
        """Countries that have documents, with counts."""
        from repository import coverage
        return self._reading(coverage.countries)

    def country_documents(self, code: str) -> list["DocumentSummary"]:
        from repository import coverage
        return self._reading(coverage.country_documents, code)

    def country_coverage(self, code: str) -> list["ArticleCoverage"]:
        """Every UNCAC article with the country's implementing provisions and its status."""
        from repository import coverage
        return self._reading(coverage.country_coverage, code)

    def coverage_matrix(self, chapter: str | None = None, region: str | None = None) -> "Matrix":
        """Countries x articles: implementing provisions, confirmed and suggested."""
        from repository import coverage
        return self._reading(coverage.matrix, chapter, region)

    # -- catalogue (repository/catalogue.py): documents, versions, provisions, tags by id -------

    def catalogue_documents(self, filters: dict[str, list[str]], limit: int, offset: int) -> "Page":
        """A page of documents matching filters (country, type, language, status, year)."""
        from repository import catalogue
        return self._reading(catalogue.documents, filters, limit, offset)

    def catalogue_document(self, document_id: int) -> "DocumentInfo | None":
        from repository import catalogue
        return self._reading(catalogue.document, document_id)

    def catalogue_version(self, document_id: int, seq: int):
        """(version, its provisions) or None."""
        from repository import catalogue
        return self._reading(catalogue.version, document_id, seq)

    def catalogue_provision(self, provision_id: int) -> "ProvisionDetail | None":
        from repository import catalogue
        return self._reading(catalogue.provision, provision_id)

    def catalogue_tags(self, articles: list[int], countries: list[str], statuses: list[str],
                       limit: int, offset: int) -> "Page":
        """A page of the article tags of current versions."""
        from repository import catalogue
        return self._reading(catalogue.tags, articles, countries, statuses, limit, offset)

    def catalogue_tag(self, tag_id: int) -> "TagInfo | None":
        from repository import catalogue
        return self._reading(catalogue.tag, tag_id)

    # -- public pages ---------------------------------------------------------------------

    def recent_documents(self, limit: int = 10) -> list["RecentDocument"]:
        """The documents whose latest version arrived last, newest first."""
        from repository.browse import recent_documents

        with self.sessions() as session:
            return recent_documents(session, limit)

    def country_names(self, codes) -> dict[str, str]:
        """ISO alpha-3 -> country name for the given codes (reference data, read once)."""
        if self._country_names is None:
            with self.sessions() as session:
                self._country_names = dict(session.execute(select(Country.code, Country.name)).all())
        return {code: self._country_names[code] for code in {str(c).upper() for c in codes if c} if code in self._country_names}

    def document_view(self, document_id: int, seq: int | None = None) -> "DocumentView | None":
        """One version of a document (the current one when ``seq`` is None) with its provisions,
        tags, table of contents and citations; None if there is no such document or version."""
        from repository.browse import document_view

        with self.sessions() as session:
            return document_view(session, document_id, seq)

    def original(self, document_id: int, seq: int) -> tuple[Version, bytes] | None:
        """Version ``seq`` of a document and the bytes of its original file, as received."""
        with self.sessions() as session:
            version = session.scalar(select(Version).where(Version.document_id == document_id, Version.seq == seq))
        if version is None:
            return None
        return version, self.blobs.get(version.sha256)
