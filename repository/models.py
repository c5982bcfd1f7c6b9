"""The domain model: countries, documents, versions, provisions, UNCAC articles and tags;
staff accounts, upload jobs and the audit log."""
from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import (
    JSON, Boolean, Date, DateTime, Enum, Float, ForeignKey, Integer, MetaData, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

# Deterministic constraint names keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class StrEnum(str, enum.Enum):
    def __str__(self) -> str:
        return self.value


class Region(StrEnum):
    """UN regional groups as used by the Conference of the States Parties."""

    AFRICAN = "African"
    ASIA_PACIFIC = "Asia-Pacific"
    EASTERN_EUROPEAN = "Eastern European"
    LATIN_AMERICAN_CARIBBEAN = "Latin American and Caribbean"
    WESTERN_EUROPEAN_OTHER = "Western European and other"


class DocumentType(StrEnum):
    CONSTITUTION = "constitution"
    CODE = "code"
    ACT = "act"
    BILL = "bill"
    REGULATION = "regulation"
    DECREE = "decree"
    TREATY = "treaty"
    GUIDELINE = "guideline"
    GOOD_PRACTICE = "good practice"
    OTHER = "other"


class DocumentStatus(StrEnum):
    IN_FORCE = "in force"
    AMENDED = "amended"
    REPEALED = "repealed"
    DRAFT = "draft"


class TagOrigin(StrEnum):
    RULE = "rule"
    MODEL = "model"
    STAFF = "staff"


class TagStatus(StrEnum):
    SUGGESTED = "suggested"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


def _enum(enum_class: type[StrEnum], name: str) -> Enum:
    # Stored as plain strings with a CHECK constraint: portable, readable in SQL, and
    # adding a value is a one-line migration on both SQLite and PostgreSQL.
    return Enum(
        enum_class, name=name, native_enum=False, create_constraint=True, length=32,
        values_callable=lambda members: [member.value for member in members],
    )


def _now() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc)


class Country(Base):
    __tablename__ = "country"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)  # ISO 3166-1 alpha-3
    name: Mapped[str] = mapped_column(String(200))
    region: Mapped[Region | None] = mapped_column(_enum(Region, "region"))

    documents: Mapped[list[Document]] = relationship(back_populates="country")


class ConventionChapter(Base):
    __tablename__ = "convention_chapter"

    number: Mapped[str] = mapped_column(String(8), primary_key=True)  # Roman numeral
    title: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(Integer)


class ConventionArticle(Base):
    __tablename__ = "convention_article"

    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    chapter: Mapped[str] = mapped_column(ForeignKey("convention_chapter.number"))
    obligation: Mapped[str | None] = mapped_column(String(16))


class Document(Base):
    __tablename__ = "document"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(Text)
    short_title: Mapped[str | None] = mapped_column(String(300))
    country_code: Mapped[str | None] = mapped_column(ForeignKey("country.code"), index=True)  # None: international
    doc_type: Mapped[DocumentType] = mapped_column(_enum(DocumentType, "document_type"), default=DocumentType.OTHER)
    language: Mapped[str] = mapped_column(String(8))  # ISO 639-1
    date_adopted: Mapped[dt.date | None] = mapped_column(Date)
    year: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[DocumentStatus] = mapped_column(_enum(DocumentStatus, "document_status"), default=DocumentStatus.IN_FORCE)
    # The path the document was ingested from, relative to the folder given; its identity across re-ingests.
    source: Mapped[str] = mapped_column(String(1000), unique=True)
    official_url: Mapped[str | None] = mapped_column(Text)
    provenance: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    country: Mapped[Country | None] = relationship(back_populates="documents")
    versions: Mapped[list[Version]] = relationship(
        back_populates="document", order_by="Version.seq", cascade="all, delete-orphan", passive_deletes=True,
    )

    @property
    def current_version(self) -> Version | None:
        return self.versions[-1] if self.versions else None


class Version(Base):
    """One received file of a document. Versions are never overwritten."""

    __tablename__ = "version"
    __table_args__ = (
        UniqueConstraint("document_id", "sha256", name="uq_version_document_sha256"),
        UniqueConstraint("document_id", "seq", name="uq_version_document_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="CASCADE"), index=True)
    seq: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the document
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    media_type: Mapped[str] = mapped_column(String(100))
    original_filename: Mapped[str] = mapped_column(String(500))
    size: Mapped[int] = mapped_column(Integer)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    page_count: Mapped[int] = mapped_column(Integer, default=0)
    extracted_text: Mapped[str] = mapped_column(Text, default="")
    extracted_metadata: Mapped[dict] = mapped_column(JSON, default=dict)

    document: Mapped[Document] = relationship(back_populates="versions")
    provisions: Mapped[list[Provision]] = relationship(
        back_populates="version", order_by="Provision.position", cascade="all, delete-orphan",
        passive_deletes=True,
    )


class Provision(Base):
    """A structural unit of a version: part, chapter, section, article, paragraph, schedule..."""

    __tablename__ = "provision"
    __table_args__ = (UniqueConstraint("version_id", "anchor", name="uq_provision_version_anchor"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("version.id", ondelete="CASCADE"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("provision.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)  # order within the version
    kind: Mapped[str] = mapped_column(String(32))
    number: Mapped[str | None] = mapped_column(String(64), index=True)  # normalized
    label: Mapped[str] = mapped_column(String(300), default="")  # as printed
    heading: Mapped[str | None] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text, default="")
    page_start: Mapped[int | None] = mapped_column(Integer)
    page_end: Mapped[int | None] = mapped_column(Integer)
    anchor: Mapped[str] = mapped_column(String(200))
    # Set on the provisions of the Convention's own text: which UNCAC article this is.
    convention_article: Mapped[int | None] = mapped_column(ForeignKey("convention_article.number"), index=True)

    version: Mapped[Version] = relationship(back_populates="provisions")
    parent: Mapped[Provision | None] = relationship(remote_side=[id])
    tags: Mapped[list[ArticleTag]] = relationship(
        back_populates="provision", cascade="all, delete-orphan", passive_deletes=True,
    )

    @property
    def article_numbers(self) -> list[int]:
        """The UNCAC articles this provision implements (tags not rejected), or is (the
        Convention's own text); what search, citations and pages show."""
        numbers = {tag.article for tag in self.tags if tag.status != TagStatus.REJECTED}
        if self.convention_article:
            numbers.add(self.convention_article)
        return sorted(numbers)


class ArticleTag(Base):
    """A provision implements (or relates to) an UNCAC article, optionally one paragraph of it."""

    __tablename__ = "article_tag"
    __table_args__ = (
        UniqueConstraint("provision_id", "article", "paragraph", name="uq_article_tag_provision_article_paragraph"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provision_id: Mapped[int] = mapped_column(ForeignKey("provision.id", ondelete="CASCADE"), index=True)
    article: Mapped[int] = mapped_column(ForeignKey("convention_article.number"), index=True)
    # "" rather than NULL for "the whole article", so the unique constraint holds on every database.
    paragraph: Mapped[str] = mapped_column(String(16), default="")
    origin: Mapped[TagOrigin] = mapped_column(_enum(TagOrigin, "tag_origin"))
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[TagStatus] = mapped_column(_enum(TagStatus, "tag_status"), default=TagStatus.SUGGESTED)
    explanation: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    provision: Mapped[Provision] = relationship(back_populates="tags")


# -- staff: accounts, upload jobs, audit log ------------------------------------------------


class Role(StrEnum):
    """What a staff account may do; admins may do everything editors may."""

    EDITOR = "editor"
    ADMIN = "admin"


class JobState(StrEnum):
    QUEUED = "queued"
    EXTRACTING = "extracting"
    TAGGING = "tagging"
    INDEXED = "indexed"
    FAILED = "failed"


class User(Base):
    """A staff account. The public reads without one."""

    __tablename__ = "user_account"  # "user" is reserved on PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))  # Argon2id, PHC string
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.EDITOR)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # sha256 of the API token; the token itself is shown once and never stored.
    api_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)


class SignInAttempt(Base):
    """One sign-in attempt, kept for rate limiting by (name, client address)."""

    __tablename__ = "sign_in_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    name: Mapped[str] = mapped_column(String(100), index=True)  # as typed, lower-cased
    address: Mapped[str] = mapped_column(String(64), default="")
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)


class Job(Base):
    """One uploaded file on its way into the library; recorded before any processing."""

    __tablename__ = "job"

    id: Mapped[int] = mapped_column(primary_key=True)
    state: Mapped[JobState] = mapped_column(_enum(JobState, "job_state"), default=JobState.QUEUED, index=True)
    reason: Mapped[str] = mapped_column(Text, default="")  # one line, for failed jobs
    sha256: Mapped[str] = mapped_column(String(64))  # the stored original in the blob store
    original_filename: Mapped[str] = mapped_column(String(500))  # metadata only, never a path
    stored_name: Mapped[str] = mapped_column(String(200))  # the sanitized name extraction sees
    size: Mapped[int] = mapped_column(Integer)
    media_type: Mapped[str] = mapped_column(String(100))  # decided from content and extension
    submitted_metadata: Mapped[dict] = mapped_column(JSON, default=dict)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    batch: Mapped[str | None] = mapped_column(String(32), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The worker holding the job and until when; an expired lease means the worker died.
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    document_id: Mapped[int | None] = mapped_column(ForeignKey("document.id", ondelete="SET NULL"))
    version_seq: Mapped[int | None] = mapped_column(Integer)

    submitted_by: Mapped[User | None] = relationship()


class AuditEvent(Base):
    """Who changed what and when. Never updated or deleted by lexrepo."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"), index=True)
    # The name at the time, so the log stays readable if the account goes; "" for the CLI/system.
    user_name: Mapped[str] = mapped_column(String(100), default="")
    action: Mapped[str] = mapped_column(String(32), index=True)
    target_type: Mapped[str] = mapped_column(String(32))
    target_id: Mapped[str] = mapped_column(String(64), default="")
    details: Mapped[dict] = mapped_column(JSON, default=dict)


# -- saved citation lists (staff) -------------------------------------------------------------


class CitationList(Base):
    """A citation list a staff user saved under a name (the public keep theirs in the browser)."""

    __tablename__ = "citation_list"
    __table_args__ = (UniqueConstraint("owner_id", "name", name="uq_citation_list_owner_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    owner_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_now, onupdate=_now)

    owner: Mapped[User] = relationship()
    entries: Mapped[list[CitationListEntry]] = relationship(
        back_populates="citation_list", order_by="CitationListEntry.position", cascade="all, delete-orphan",
        passive_deletes=True,
    )


class CitationListEntry(Base):
    """One provision of a saved list, at a position, with the user's note. A provision
    deleted from the library (with its document) leaves the lists that cited it."""

    __tablename__ = "citation_list_entry"
    __table_args__ = (UniqueConstraint("list_id", "provision_id", name="uq_citation_list_entry_list_provision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    list_id: Mapped[int] = mapped_column(ForeignKey("citation_list.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    provision_id: Mapped[int] = mapped_column(ForeignKey("provision.id", ondelete="CASCADE"), index=True)
    note: Mapped[str] = mapped_column(Text, default="")

    citation_list: Mapped[CitationList] = relationship(back_populates="entries")
