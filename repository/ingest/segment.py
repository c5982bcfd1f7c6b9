"""segment(): turn extracted blocks into a tree of provision drafts.

Pipeline (each step a small function over a flat list of heading/text events):

1. ``_events``: walk the blocks and emit heading events (a recognised label at the
   start of a block or of a line in heading position; trusted kind/label of
   structured blocks; "(b) …" markup subsections) and text events.
2. ``_prefer_markup``: where markup headings carry the provisions, plain paragraphs
   that open with "§ 1 …" are cross-references; ``_unnumbered_sections`` cuts
   documents without numbered provisions at their headings.
3. ``_absorb_titles`` / ``_marginal_notes``: "CHAPTER I" + "PRELIMINARY", and the
   marginal note printed before "1. This Act…", become headings.
4. ``_revert_bare_if_worded``: "1. Each State…" inside "Article 3" is a paragraph.
5. ``_drop_tables_of_contents`` / ``_drop_orphan_containers``: runs of body-less
   headings whose numbers come back later are a table of contents.
6. ``_filter_bare_numbers``: bare "6. (1) …" sections are kept along the heaviest
   increasing chain of numbers.
7. ``_build``: nest units by rank (and markup heading level), merge repeated running
   headers, attach text, compute pages and anchors.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from .document import Block, ExtractedDocument, ProvisionDraft
from .numbering import HeadingMatch, normalize_number, parse_heading

# Default ranks for kinds stated by structured sources (smaller encloses larger).
_KIND_RANK = {"heading": 4, "group": 4, "part": 1, "book": 1, "schedule": 1, "annex": 1, "title": 2, "chapter": 3,
              "division": 3, "section": 10, "article": 10, "rule": 10, "regulation": 10,
              "subsection": 11, "paragraph": 12, "subparagraph": 13, "preamble": 10}
_CONTAINER_KINDS = {"part", "book", "title", "chapter", "division", "schedule", "annex",
                    "heading", "group"}
# What a structured source may call plain text: it is body, not a unit.
_BODY_KINDS = {"text", "body", "para", "note", "footnote", "table"}

_REPEALED_RE = re.compile(
    r"^\W*(repealed|omitted|deleted|aufgehoben|weggefallen|derogad[oa]|revogad[oa]|abrog[ée]e?|"
    r"vervallen|утратил[аи]? силу|исключен[аы]?|ملغاة|ملغى|删除|削除)\b", re.IGNORECASE)
# English "7. Offence relating to bribery.—Whoever…": heading, dash, body.
_HEADING_BODY_SPLIT = re.compile(r"^(.{3,200}?[^\s])\s*(?:\.\s?[-—–]+|[-—–]{1,2}(?=\s?[A-Z(“\"]))\s*(.+)$")
_SUBSECTION_RE = re.compile(r"^\(([a-z]{1,2}|\d{1,3})\)\s*(.*)$")
_SENTENCE_END = re.compile(r"[.;:!?]['\"”»)]?$")
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009\u3000]+")
_ANCHOR_UNSAFE = re.compile(r"[^0-9A-Za-z.\-]+")

_TOC_MIN_RUN = 3          # fewer body-less headings in a row is not a table of contents
_SHORT_REST = 150         # a same-line remainder longer than this is body text
_BARE_MAX_STEP = 12       # bare section numbers may skip at most this many


@dataclass
class _Heading:
    """A heading event, before nesting."""

    match: HeadingMatch
    raw: str                      # the line as printed, to restore it if rejected
    page: int | None
    level: int | None             # markup heading level, if any
    heading: str | None = None
    body: str = ""                # same-line remainder that is body text
    structured: bool = False
    bare: bool = False            # "6. (1) …" without a word label
    guessed: bool = False         # heading taken from the same-line remainder


@dataclass
class _Text:
    """A body text event."""

    text: str
    page: int | None
    markup_heading: bool = False  # an unrecognised markup heading (maybe a title)


@dataclass
class _Unit:
    head: _Heading
    parts: list[str] = field(default_factory=list)
    pages: list[int] = field(default_factory=list)


def segment(doc: ExtractedDocument, language: str | None = None) -> list[ProvisionDraft]:
    """Segment ``doc`` into provision drafts (containers included), in reading order."""
    language = (language or doc.metadata.get("language") or guess_language(doc.blocks) or "")
    language = language.split("-")[0].lower()
    events = _events(doc.blocks, language)
    events = _prefer_markup(events)
    events = _unnumbered_sections(events)
    events = _absorb_titles(events)
    events = _revert_bare_if_worded(events)
    events = _marginal_notes(events)
    events = _drop_tables_of_contents(events)
    events = _filter_bare_numbers(events)
    events = _drop_orphan_containers(events)
    return _build(events)


# --- 1. events ---------------------------------------------------------------

def _events(blocks: list[Block], language: str) -> list[_Heading | _Text]:
    events: list[_Heading | _Text] = []
    for block in blocks:
        if block.kind or block.label:
            events.extend(_structured(block))
            continue
        text = block.text.strip()
        if not text:
            continue
        lines = [line.strip() for line in text.split("\n") if line.strip()]
        if block.heading_level:
            match = _parse(lines[0], language)
            if match:
                head = _heading(match, lines[0], block.page, block.heading_level, language,
                                markup=True, last_line=len(lines) == 1)
                events.append(head)
                if len(lines) > 1:
                    events.append(_Text("\n".join(lines[1:]), block.page))
            elif sub := _SUBSECTION_RE.match(lines[0]):
                # US Code chunks: "###### (b) Penalties." opens a subsection of the §
                rest = sub.group(2).strip()
                titled = rest.endswith(".") and len(rest) <= 80  # "(b) Penalties."
                match = HeadingMatch("subsection", False, f"({sub.group(1)})", None, rest, 11)
                events.append(_Heading(match, lines[0], block.page, block.heading_level,
                                       heading=rest.rstrip(" .") if titled else None,
                                       body="" if titled else rest))
                if len(lines) > 1:
                    events.append(_Text("\n".join(lines[1:]), block.page))
            else:
                events.append(_Text(text, block.page, markup_heading=True))
            continue
        pending: list[str] = []
        for i, line in enumerate(lines):
            match = None
            if i == 0 or _SENTENCE_END.search(lines[i - 1]) or len(lines[i - 1]) < 60:
                match = _parse(line, language)
            if match is None:
                pending.append(line)
                continue
            if pending:
                events.append(_Text("\n".join(pending), block.page))
                pending = []
            events.append(_heading(match, line, block.page, None, language, markup=False,
                                   last_line=i == len(lines) - 1))
        if pending:
            events.append(_Text("\n".join(pending), block.page))
    return events


def _parse(line: str, language: str) -> HeadingMatch | None:
    """parse_heading in the document's language; containers of any language as a fallback
    (a bilingual convention has "CHAPTER I" and "HOOFDSTUK I")."""
    match = parse_heading(line, language)
    if match is None and language:
        match = parse_heading(line, None)
        if match is not None and not match.container:
            return None
    return match


def _prefer_markup(events: list[_Heading | _Text]) -> list[_Heading | _Text]:
    """Where markup headings carry the provisions ("##### § 1"), a body paragraph that
    opens with "§ 1 gilt entsprechend" is a cross-reference, not a new provision."""
    marked = sum(1 for e in events if isinstance(e, _Heading) and e.level is not None
                 and not e.match.container and not e.structured)
    plain = sum(1 for e in events if isinstance(e, _Heading) and e.level is None
                and not e.match.container and not e.structured)
    if marked < 3 or marked < plain:
        return events
    return [_Text(e.raw, e.page) if isinstance(e, _Heading) and e.level is None
            and not e.structured and (not e.match.container or _after_bare_markup(events, i))
            else e for i, e in enumerate(events)]


def _after_bare_markup(events: list[_Heading | _Text], i: int) -> bool:
    """A plain chapter line right under a markup article heading is a conversion slip."""
    prev = events[i - 1] if i else None
    return (isinstance(prev, _Heading) and prev.level is not None
            and not prev.match.container and not prev.body)


def _unnumbered_sections(events: list[_Heading | _Text]) -> list[_Heading | _Text]:
    """A document without numbered provisions (guidelines, reports) is cut at its markup
    headings instead, so that search results still point at a part of it."""
    if any(isinstance(e, _Heading) and not e.match.container for e in events):
        return events
    out: list[_Heading | _Text] = []
    seen_text = False
    for event in events:
        if (isinstance(event, _Text) and event.markup_heading and seen_text
                and "\n" not in event.text and len(event.text) <= 200):
            match = HeadingMatch("section", False, "", None, event.text, 10)
            out.append(_Heading(match, event.text, event.page, None, heading=event.text.strip()))
            continue
        seen_text = seen_text or isinstance(event, _Text)
        out.append(event)
    return out


def _heading(match: HeadingMatch, raw: str, page: int | None, level: int | None,
             language: str, markup: bool, last_line: bool) -> _Heading:
    """Decide whether the text after the label is the heading or the start of the body."""
    head = _Heading(match, raw, page, level, bare=match.label.strip().isalnum()
                    and match.label.strip()[:1].isdigit())
    rest = match.text.strip()
    if not rest:
        return head
    if match.container or markup:
        head.heading = rest
        return head
    if head.bare:
        # "6. Interpretation" (TOC entry) vs "1. This Act may be cited as … 2021."
        split = _HEADING_BODY_SPLIT.match(rest)
        if split and not rest.startswith("("):
            head.heading, head.body = split.group(1).rstrip(" .") + ".", split.group(2)
        elif not _SENTENCE_END.search(rest) and len(rest) <= _SHORT_REST and last_line:
            head.heading, head.guessed = rest, True
        else:
            head.body = rest
        return head
    if language not in ("zh", "ja"):
        split = _HEADING_BODY_SPLIT.match(rest)
        if split and language in ("en", "") and not rest.startswith("("):
            head.heading, head.body = split.group(1).rstrip(" .") + ".", split.group(2)
            return head
        if (last_line and len(rest) <= _SHORT_REST and not rest.startswith("(")
                and not rest[:1].islower() and not re.search(r"[.;:,]$", rest)
                and not re.search(r"[.!?]\s+\S", rest)):
            head.heading = rest
            return head
    head.body = rest
    return head


def _structured(block: Block) -> list[_Heading | _Text]:
    """A block whose source states kind/label: trusted, label normalized."""
    kind = (block.kind or "article").lower()
    if kind in _BODY_KINDS or (kind == "paragraph" and not block.label):
        return [_Text(block.text, block.page)]
    label = (block.label or "").strip()
    number = normalize_number(label) or None
    container = kind in _CONTAINER_KINDS
    match = HeadingMatch(kind, container, label, number, "", _KIND_RANK.get(kind, 10))
    head = _Heading(match, block.text, block.page, block.heading_level,
                    heading=block.heading, structured=True)
    events: list[_Heading | _Text] = [head]
    text = _strip_repeated_heading(block.text.strip(), label, block.heading)
    if text:
        if container and not block.heading:
            head.heading = text
        else:
            events.append(_Text(text, block.page))
    return events


def _strip_repeated_heading(text: str, label: str, heading: str | None) -> str:
    """JSON sources often repeat "2. Duty to report…" at the start of the content."""
    if not heading:
        return text
    rest = text
    if label and rest.startswith(label):
        rest = rest[len(label):].lstrip(" .:-–—")
    if rest.startswith(heading):
        return rest[len(heading):].lstrip(" .:-–—")
    return text


def _absorb_titles(events: list[_Heading | _Text]) -> list[_Heading | _Text]:
    """'CHAPTER I' followed by 'PRELIMINARY': the next short line is the heading."""
    out: list[_Heading | _Text] = []
    i = 0
    while i < len(events):
        event = events[i]
        out.append(event)
        nxt = events[i + 1] if i + 1 < len(events) else None
        if (isinstance(event, _Heading) and not event.heading and not event.body
                and not event.structured and isinstance(nxt, _Text)):
            line = nxt.text.strip()
            titled = nxt.markup_heading or (
                event.match.container and "\n" not in line and len(line) <= 120
                and not _SENTENCE_END.search(line.rstrip(".")) and not line[:1].islower()
                and (line.isupper() or event.level is not None))
            if titled and len(line) <= 200 and "\n" not in line:
                event.heading = line
                i += 2
                continue
        i += 1
    return out


def _marginal_notes(events: list[_Heading | _Text]) -> list[_Heading | _Text]:
    """Common-law PDFs print the marginal note ("Short title") just before "1. This Act…"."""
    out: list[_Heading | _Text] = []
    for event in events:
        prev = out[-1] if out else None
        if (isinstance(event, _Heading) and event.bare and (not event.heading or event.guessed)
                and isinstance(prev, _Text) and not prev.markup_heading):
            lines = prev.text.strip().split("\n")
            note = lines[-1].strip()
            if (note and len(note) <= 100 and note[:1].isupper()
                    and not re.search(r"[.;:,]$", note) and not _SENTENCE_END.search(note)):
                if event.guessed:  # "2. In this Act" was the start of the body
                    event.body = (event.heading or "") + (" " + event.body if event.body else "")
                    event.guessed = False
                event.heading = note
                if len(lines) > 1:
                    prev.text = "\n".join(lines[:-1])
                else:
                    out.pop()
        out.append(event)
    return out


# --- 2. tables of contents ------------------------------------------------------

def _has_body(events: list[_Heading | _Text], i: int) -> bool:
    """Whether heading ``i`` is followed by substantive text before the next heading."""
    head = events[i]
    assert isinstance(head, _Heading)
    if len(head.body) > _SHORT_REST:
        return True
    for event in events[i + 1:]:
        if isinstance(event, _Heading):
            return False
        if event.text.strip():
            return True
    return False


def _drop_tables_of_contents(events: list[_Heading | _Text]) -> list[_Heading | _Text]:
    """Remove runs of body-less headings whose numbers reappear later (a TOC)."""
    heads = [i for i, e in enumerate(events) if isinstance(e, _Heading) and not e.structured]
    drop: set[int] = set()
    run: list[int] = []

    def flush(end_pos: int) -> None:
        provisions = [i for i in run if not events[i].match.container]  # type: ignore[union-attr]
        if len(provisions) < _TOC_MIN_RUN:
            return
        later = {(events[j].match.kind, events[j].match.number)  # type: ignore[union-attr]
                 for j in heads[end_pos:]}
        keys = [(events[i].match.kind, events[i].match.number) for i in provisions]  # type: ignore[union-attr]
        if sum(key in later for key in keys) * 2 >= len(keys):
            # trailing containers of the run may be the real first chapter: keep those
            last = provisions[-1]
            drop.update(i for i in run if i <= last)
            drop.update(range(run[0], last + 1))
            # text lines inside the run (e.g. "Page 3") go with it

    numbers: set[tuple[str, str | None]] = set()
    for pos, i in enumerate(heads):
        head = events[i]
        assert isinstance(head, _Heading)
        key = (head.match.kind, head.match.number)
        if head.match.number is None and not head.match.container:
            flush(pos)  # unnumbered units and subsections are never table entries
            run, numbers = [], set()
            continue
        if not head.match.container and key in numbers:
            # the numbering starts again: the table of contents is over
            flush(pos)
            run, numbers = [], set()
        bodiless = head.match.container or not _has_body(events, i)
        if bodiless and not (head.heading and _REPEALED_RE.match(head.heading)) \
                and not _REPEALED_RE.match(head.body):
            run.append(i)
            if not head.match.container:
                numbers.add(key)
        else:
            flush(pos)
            run, numbers = [], set()
    flush(len(heads))
    return [e for i, e in enumerate(events) if i not in drop]


def _drop_orphan_containers(events: list[_Heading | _Text]) -> list[_Heading | _Text]:
    """A chapter heading left over from a table of contents: no provision under it, only
    short lines (entry fragments), and the same chapter comes back later."""
    heads = [i for i, e in enumerate(events) if isinstance(e, _Heading)]
    drop: set[int] = set()
    for pos, i in enumerate(heads):
        head = events[i]
        assert isinstance(head, _Heading)
        if not head.match.container or head.structured or head.match.number is None:
            continue
        nxt = heads[pos + 1] if pos + 1 < len(heads) else len(events)
        following = events[nxt] if nxt < len(events) else None
        if isinstance(following, _Heading) and (not following.match.container
                                                or following.match.rank > head.match.rank):
            continue  # it has a provision or a sub-division
        texts = [e.text for e in events[i + 1:nxt] if isinstance(e, _Text)]
        if any(len(line) > 100 or _REPEALED_RE.match(line) for t in texts for line in t.split("\n")):
            continue  # real text, or a title that was repealed as a whole
        key = (head.match.kind, head.match.number)
        if any((events[j].match.kind, events[j].match.number) == key  # type: ignore[union-attr]
               for j in heads[pos + 1:]):
            drop.update(range(i, nxt))
    return [e for i, e in enumerate(events) if i not in drop]


# --- 3. bare numbers -----------------------------------------------------------

def _int_part(number: str | None) -> int:
    match = re.match(r"\d+", number or "")
    return int(match.group(0)) if match else -1


def _revert_bare_if_worded(events: list[_Heading | _Text]) -> list[_Heading | _Text]:
    """Inside a worded provision ("Article 3"), "1. Each State…" is a numbered paragraph.

    A container heading closes the provision: a bill whose sections are bare numbers may
    still carry a schedule of worded articles (Barbados bills quote UNCAC).
    """
    out: list[_Heading | _Text] = []
    in_worded = False
    for event in events:
        if isinstance(event, _Heading):
            if event.bare and in_worded:
                out.append(_Text(event.raw, event.page))
                continue
            if event.match.container:
                in_worded = False
            elif not event.bare:
                in_worded = True
        out.append(event)
    return out


def _bare_key(number: str | None) -> tuple[int, str]:
    return _int_part(number), (number or "").lstrip("0123456789")


def _filter_bare_numbers(events: list[_Heading | _Text]) -> list[_Heading | _Text]:
    """Keep the bare numbered sections that form the document's numbering.

    The kept ones are the heaviest increasing chain (small steps only), where a
    candidate with body text weighs more than one without: leftovers of a table of
    contents and stray numbered lines lose against the real sequence.
    """
    idx = [i for i, e in enumerate(events) if isinstance(e, _Heading) and e.bare]
    if not idx:
        return events
    keys = [_bare_key(events[i].match.number) for i in idx]  # type: ignore[union-attr]
    weights = [2 if _has_body(events, i) else 1 for i in idx]
    best = [0] * len(idx)
    back = [-1] * len(idx)
    for a in range(len(idx)):
        best[a] = weights[a] if keys[a][0] <= _BARE_MAX_STEP else 0
        for b in range(max(0, a - 400), a):  # bounded window keeps this fast
            if best[b] and keys[b] < keys[a] and keys[a][0] - keys[b][0] <= _BARE_MAX_STEP \
                    and best[b] + weights[a] > best[a]:
                best[a], back[a] = best[b] + weights[a], b
    keep: set[int] = set()
    a = max(range(len(idx)), key=lambda k: (best[k], k))
    while a >= 0 and best[a]:
        keep.add(idx[a])
        a = back[a]
    return [_Text(e.raw, e.page) if isinstance(e, _Heading) and e.bare and i not in keep
            else e for i, e in enumerate(events)]


# --- 4. tree -------------------------------------------------------------------

def _build(events: list[_Heading | _Text]) -> list[ProvisionDraft]:
    units: list[_Unit] = []
    parents: list[int | None] = []
    stack: list[int] = []
    preamble = _Unit(_Heading(HeadingMatch("preamble", True, "", None, "", 0), "", None, None))
    current: _Unit = preamble
    for event in events:
        if isinstance(event, _Text):
            current.parts.append(event.text)
            if event.page is not None:
                current.pages.append(event.page)
            continue
        repeat = _open_repeat(units, stack, event)
        if repeat is not None:
            # a running header repeated after a page break: the open units go on
            if event.page is not None:
                units[repeat].pages.append(event.page)
            if event.body:
                current.parts.append(event.body)
            continue
        while stack and _encloses_not(units[stack[-1]].head, event):
            stack.pop()
        parents.append(stack[-1] if stack else None)
        if event.match.kind == "subsection" and event.match.number is None:
            parent = units[stack[-1]].head.match if stack else None
            if parent is None or parent.container or not parent.number:
                # a lettered heading outside any provision is just text
                parents.pop()
                current.parts.append(event.raw)
                continue
            event.match.number = parent.number + event.match.label
        unit = _Unit(event, [event.body] if event.body else [],
                     [event.page] if event.page is not None else [])
        units.append(unit)
        stack.append(len(units) - 1)
        current = unit

    drafts: list[ProvisionDraft] = []
    containers: list[bool] = []
    offset = 0
    if "".join(preamble.parts).strip():
        offset = 1
        containers.append(False)
        drafts.append(ProvisionDraft("preamble", None, "", None, _join(preamble.parts),
                                     None, _first(preamble.pages), _last(preamble.pages)))
    for unit, parent in zip(units, parents):
        match = unit.head.match
        containers.append(match.container)
        drafts.append(ProvisionDraft(
            kind=match.kind, number=match.number, label=_SPACES.sub(" ", match.label),
            heading=unit.head.heading, text=_join(unit.parts),
            parent=None if parent is None else parent + offset,
            page_start=_first(unit.pages), page_end=_last(unit.pages)))
    _assign_anchors(drafts, containers)
    return drafts


def _encloses_not(top: _Heading, new: _Heading) -> bool:
    """Whether the open unit ``top`` must be closed before ``new`` starts."""
    if top.level is not None and new.level is not None and top.level < new.level \
            and top.match.container:
        return False  # markup says new is deeper inside a container
    return top.match.rank >= new.match.rank


def _open_repeat(units: list[_Unit], stack: list[int], event: _Heading) -> int | None:
    """Index of an open unit identical to ``event`` (a repeated running header)."""
    if event.structured:
        return None
    for index in reversed(stack):
        head = units[index].head
        if (head.match.kind, head.match.label, head.heading) == (
                event.match.kind, event.match.label, event.heading) and head.match.number:
            return index
    return None


def _assign_anchors(drafts: list[ProvisionDraft], containers: list[bool]) -> None:
    """p-<number> for provisions, <kind>-<number> for containers, u-<order> otherwise.

    A repeated base gets "-2", "-3"… in reading order, so re-segmenting is stable.
    """
    seen: dict[str, int] = {}
    for order, (draft, container) in enumerate(zip(drafts, containers), start=1):
        if draft.number:
            safe = _ANCHOR_UNSAFE.sub("_", draft.number).strip("_")
            base = f"{draft.kind if container else 'p'}-{safe}"
        else:
            base = f"u-{order}"
        seen[base] = seen.get(base, 0) + 1
        draft.anchor = base if seen[base] == 1 else f"{base}-{seen[base]}"


def _join(parts: list[str]) -> str:
    return "\n\n".join(p.strip() for p in parts if p and p.strip())


def _first(pages: list[int]) -> int | None:
    return min(pages) if pages else None


def _last(pages: list[int]) -> int | None:
    return max(pages) if pages else None


# --- language guess --------------------------------------------------------------

_GUESS = [  # (language, script, how many characters make it that language)
    ("ru", re.compile(r"[А-Яа-я]"), 200),
    ("ar", re.compile(r"[\u0600-\u06FF]"), 200),
    ("ja", re.compile(r"[\u3040-\u30FF]"), 30),
    ("zh", re.compile(r"[\u4E00-\u9FFF]"), 100),
]
# Frequent short words tell Latin-script languages apart better than heading words do
# ("§ 1" opens provisions in German and paragraphs in Portuguese).
_STOPWORDS = {
    "de": "der die und nicht den ist wird oder",
    "nl": "het een van niet wordt zijn worden bij",
    "fr": "le les des est une pour par dans",
    "es": "el los las del por una con para",
    "pt": "os das dos não uma pela pelo ao",
    "en": "the of and shall any which to or",
}
_LATIN_GUESS = [(lang, re.compile(r"\b(?:" + "|".join(words.split()) + r")\b"))
                for lang, words in _STOPWORDS.items()]


def guess_language(blocks: list[Block]) -> str | None:
    """A cheap language guess from the script and the words that open headings."""
    sample = "\n".join(block.text for block in blocks[:400])[:200_000]
    if not sample:
        return None
    for lang, regex, enough in _GUESS:
        if len(regex.findall(sample[:20_000])) > enough:
            return lang
    sample = sample[:50_000]
    scores = {lang: len(regex.findall(sample)) for lang, regex in _LATIN_GUESS}
    best = max(scores, key=scores.__getitem__)
    return best if scores[best] else None
