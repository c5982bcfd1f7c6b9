"""The one intermediate structure every extractor produces, whatever the file format.

An extractor turns bytes into an :class:`ExtractedDocument`: an ordered list of
:class:`Block` objects plus whatever metadata the file states about itself. The
segmenter then turns blocks into provisions. Structured sources (official XML, JSON
lists of sections) already know where a provision starts, so they fill ``label``,
``heading`` and ``kind`` and the segmenter trusts them; unstructured sources (PDF,
plain text) give plain paragraphs and the segmenter finds the numbering itself.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class ExtractionError(Exception):
    """A file could not be read; ``str(error)`` is a one-line reason for the user."""


class NeedsOCR(ExtractionError):
    """A PDF without a text layer: it must go through OCR before it can be ingested."""


@dataclass
class Block:
    """A run of text in reading order.

    text: the text, whitespace-normalised within lines, newlines kept between lines.
    page: 1-based page number for paginated sources (PDF), else None.
    heading_level: 1..6 when the markup marks this block as a heading (Markdown ``#``,
        HTML ``<h2>``, DOCX "Heading 2"), else None for body text.
    kind: a structural kind the source states outright ("part", "chapter", "section",
        "article", "schedule", ...); None when the segmenter must decide.
    label: the provision's number as printed, when the source states it separately
        (XML ``<Label>``, JSON ``provision_ref``/``section``), e.g. "3", "§ 261".
    heading: the provision's heading when stated separately (XML ``<MarginalNote>``,
        JSON ``title``).
    """

    text: str
    page: int | None = None
    heading_level: int | None = None
    kind: str | None = None
    label: str | None = None
    heading: str | None = None


@dataclass
class ExtractedDocument:
    """What an extractor found in one file."""

    blocks: list[Block]
    media_type: str
    # What the file says about itself: keys among title, short_title, language,
    # date_adopted (ISO date), official_url, country, doc_type, status.
    metadata: dict[str, str] = field(default_factory=dict)
    page_count: int = 0
    warnings: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        """The whole extracted text, blocks separated by blank lines."""
        return "\n\n".join(block.text for block in self.blocks if block.text)


@dataclass
class ProvisionDraft:
    """A provision found by the segmenter, before it is stored.

    kind: "part", "book", "title", "chapter", "section", "subsection", "article",
        "paragraph", "schedule", "preamble", ...
    number: the normalized number ("261", "432-11", "388-1", "291.1") or None for
        unnumbered units such as a preamble.
    label: the number as printed, with its word or sign ("§ 261", "Статья 291¹").
    heading: the provision's title, if any.
    text: the provision's own text (not that of its children).
    parent: index in the draft list of the enclosing unit, or None at top level.
    page_start/page_end: page range in paginated sources.
    anchor: stable id within the version, "p-<number>" made unique.
    """

    kind: str
    number: str | None
    label: str
    heading: str | None
    text: str
    parent: int | None = None
    page_start: int | None = None
    page_end: int | None = None
    anchor: str = ""
