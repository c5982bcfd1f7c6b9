"""Pinpoint citations name the provision of the version that was cited."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from repository.models import Document, Provision, Version
from tests.test_library import BRIBERY_ACT, write


def provision_ids(library, source, numbers, seq=None):
    with library.sessions() as session:
        document = session.scalar(select(Document).where(Document.source == source))
        version = document.versions[-1] if seq is None else next(v for v in document.versions if v.seq == seq)
        rows = session.execute(select(Provision.number, Provision.id).where(Provision.version_id == version.id)).all()
    found = dict(rows)
    return [found[n] for n in numbers]


def test_citation_keeps_pointing_at_the_version_cited(library, tmp_path):
    laws = tmp_path / "laws"
    write(laws, "act.md", BRIBERY_ACT)
    library.ingest(laws, workers=1)
    [first_id] = provision_ids(library, "act.md", ["2"])
    write(laws, "act.md", BRIBERY_ACT.replace("public official", "public officer"))
    library.ingest(laws, workers=1)
    [current_id] = provision_ids(library, "act.md", ["2"])
    old, new = library.citations([first_id, current_id])
    assert (old.version_seq, new.version_seq) == (1, 2)
    assert old.permalink.endswith(f"/versions/1#{old.anchor}") and new.permalink.endswith(f"/versions/2#{new.anchor}")
    assert "public official" in old.text and "public officer" in new.text
    assert old.pinpoint().startswith(f"{old.title} (international), {old.label}")
    assert f"(version of {old.version_date.isoformat()})" in old.pinpoint()


@pytest.mark.corpus
def test_citation_of_a_german_code_names_country_and_paragraph(corpus_ingested):
    library, _report, _ = corpus_ingested
    with library.sessions() as session:
        source = session.scalar(select(Document.source).where(Document.country_code == "DEU", Document.title.like("%Strafgesetzbuch%")))
    [provision_id] = provision_ids(library, source, ["261"])
    [citation] = library.citations([provision_id])
    assert citation.country_name == "Germany" and citation.label.startswith("§")
    assert citation.pinpoint().startswith(f"{citation.title} (Germany") and "§ 261" in citation.pinpoint()
    assert citation.number == "261" and 23 in citation.articles
