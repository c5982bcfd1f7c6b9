"""Document metadata: from a manifest, from the file itself, and guessed where both are silent."""
from __future__ import annotations

import datetime as dt
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field, fields, replace
from pathlib import Path, PurePosixPath

from repository.models import DocumentStatus, DocumentType


class ManifestError(ValueError):
    """The manifest cannot be used; the message names the entry and the field."""


@dataclass(frozen=True)
class DocumentMetadata:
    """What lexrepo records about a document, whatever its source."""

    title: str = ""
    short_title: str | None = None
    country: str | None = None  # ISO 3166-1 alpha-3; None for international instruments
    doc_type: DocumentType = DocumentType.OTHER
    language: str = ""
    year: int | None = None
    date_adopted: dt.date | None = None
    status: DocumentStatus = DocumentStatus.IN_FORCE
    official_url: str | None = None
    provenance: str | None = None
    legal_text: bool = True  # False: the file holds no provisions (e.g. a bill's history page)
    expect: tuple[str, ...] = field(default=())  # provision numbers a reader expects (used by tests)


def _parse_date(value, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ManifestError(f"{where}: date_adopted must be YYYY-MM-DD, got {value!r}") from None


def _enum_value(enum_class, value, where: str, name: str):
    try:
        return enum_class(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(member.value for member in enum_class)
        raise ManifestError(f"{where}: {name} must be one of {allowed}; got {value!r}") from None


def metadata_from_mapping(entry: dict, where: str = "metadata") -> DocumentMetadata:
    """Validate one manifest entry (or form) into DocumentMetadata."""
    known = {f.name for f in fields(DocumentMetadata)} | {"type", "path"}
    unknown = set(entry) - known
    if unknown:
        raise ManifestError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
    country = (entry.get("country") or "").strip().upper() or None
    if country is not None and not re.fullmatch(r"[A-Z]{3}", country):
        raise ManifestError(f"{where}: country must be ISO 3166 alpha-3 (e.g. DEU) or empty; got {country!r}")
    language = (entry.get("language") or "").strip().lower()
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise ManifestError(f"{where}: language must be ISO 639-1 (e.g. de); got {language!r}")
    date_adopted = _parse_date(entry.get("date_adopted"), where)
    year = entry.get("year")
    if year in ("", None):
        year = date_adopted.year if date_adopted else None
    return DocumentMetadata(
        title=str(entry.get("title") or "").strip(),
        short_title=(entry.get("short_title") or None),
        country=country,
        doc_type=_enum_value(DocumentType, entry.get("type") or entry.get("doc_type") or "other", where, "type"),
        language=language,
        year=int(year) if year is not None else None,
        date_adopted=date_adopted,
        status=_enum_value(DocumentStatus, entry.get("status") or "in force", where, "status"),
        official_url=entry.get("official_url") or None,
        provenance=entry.get("provenance") or None,
        legal_text=bool(entry.get("legal_text", True)),
        expect=tuple(str(n) for n in entry.get("expect", ())),
    )


def load_manifest(path: str | Path) -> dict[str, DocumentMetadata]:
    """Read a manifest TOML (``[[document]]`` entries with a ``path``) into path -> metadata."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError:
        raise ManifestError(f"manifest not found: {path}") from None
    except tomllib.TOMLDecodeError as error:
        raise ManifestError(f"{path}: {error}") from None
    entries: dict[str, DocumentMetadata] = {}
    for number, entry in enumerate(data.get("document", []), start=1):
        where = f"{path.name} entry {number}"
        if not entry.get("path"):
            raise ManifestError(f"{where}: missing path")
        key = str(PurePosixPath(entry["path"]))
        if key in entries:
            raise ManifestError(f"{where}: {key} listed twice")
        entries[key] = metadata_from_mapping(entry, f"{where} ({key})")
    return entries


# Small, distinctive function-word profiles: enough to tell the library's languages
# apart on a page of legal text when neither manifest nor file states the language.
_PROFILES = {
    "en": "the of and to in shall be or any by person section",
    "fr": "le la les des du et est par dans une sont article",
    "es": "el la los las del de que por una con para artículo",
    "pt": "o a os as do da dos das que em no na para artigo",
    "de": "der die das und des ist wird nicht oder mit einer",
    "nl": "de het een van en in is wordt niet of artikel",
    "it": "il lo la gli le del della che per non sono",
}


def guess_language(text: str) -> str:
    """Guess the ISO 639-1 language of ``text`` from its script and common words."""
    sample = text[:20000]
    scripts = {"ru": 0, "ar": 0, "zh": 0, "ja": 0, "latin": 0}
    for char in sample:
        if "\u0400" <= char <= "\u04ff":
            scripts["ru"] += 1
        elif "\u0600" <= char <= "\u06ff":
            scripts["ar"] += 1
        elif "\u3040" <= char <= "\u30ff":
            scripts["ja"] += 1
        elif "\u4e00" <= char <= "\u9fff":
            scripts["zh"] += 1
        elif char.isalpha():
            scripts["latin"] += 1
    if scripts["ja"] > 20:
        return "ja"
    top = max(scripts, key=scripts.get)
    if top != "latin" and scripts[top] > 0:
        return top
    words = re.findall(r"\w+", sample.lower())
    counts: dict[str, int] = {}
    for word in words:
        counts[word] = counts.get(word, 0) + 1
    scores = {lang: sum(counts.get(w, 0) for w in profile.split()) for lang, profile in _PROFILES.items()}
    return max(scores, key=scores.get) if any(scores.values()) else "en"


def guess_country(relative_path: str) -> str | None:
    """A folder named with an ISO alpha-3 code (laws/deu/...) says the country."""
    from repository.countries import UnknownCountry, country_name

    for part in PurePosixPath(relative_path).parts[:-1]:
        if re.fullmatch(r"[A-Za-z]{3}", part):
            try:
                country_name(part)
            except UnknownCountry:
                continue
            return part.upper()
    return None


def _title_from_filename(name: str) -> str:
    stem = PurePosixPath(name).stem.replace("_", " ").replace("-", " ").strip()
    return unicodedata.normalize("NFC", stem[:1].upper() + stem[1:])


def complete_metadata(
    given: DocumentMetadata | None, found: dict[str, str], relative_path: str, text: str,
) -> DocumentMetadata:
    """Fill what the manifest left empty from what the file says, then from guesses."""
    meta = given or DocumentMetadata()
    updates: dict = {}
    if not meta.title:
        updates["title"] = (found.get("title") or "").strip() or _title_from_filename(relative_path)
    if not meta.short_title and found.get("short_title"):
        updates["short_title"] = found["short_title"]
    if not meta.language:
        stated = (found.get("language") or "").lower()[:2]
        updates["language"] = stated if re.fullmatch(r"[a-z]{2}", stated) else guess_language(text)
    if given is None and meta.country is None:
        updates["country"] = guess_country(relative_path)
    if meta.date_adopted is None and found.get("date_adopted"):
        try:
            updates["date_adopted"] = dt.date.fromisoformat(found["date_adopted"][:10])
        except ValueError:
            pass
    if meta.year is None:
        date = updates.get("date_adopted") or meta.date_adopted
        if date:
            updates["year"] = date.year
    if not meta.official_url and found.get("official_url"):
        updates["official_url"] = found["official_url"]
    return replace(meta, **updates)
