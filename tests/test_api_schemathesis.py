"""Schemathesis calls every operation of the OpenAPI description (/api/v1/openapi.json)
with generated parameters and bodies, in process, against a small library ingested from a
few real laws: no response may be a server error, and every response must match the
status codes, media types and schemas the description gives."""
from __future__ import annotations

import shutil

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from repository.config import Settings, load_settings
from repository.library import Library
from tests.conftest import CORPUS_MANIFEST, CORPUS_REAL
from web import create_app
from web.api_spec import openapi_document

pytestmark = pytest.mark.corpus

# Three languages, three formats: German Markdown, Canadian official XML, a French code.
FILES = [
    "laws/deu/intbestg.md",
    "laws/deu/zshg.md",
    "laws/can/C-45.2_corruption_of_foreign_public_officials_act_en.xml",
    "laws/fra/code_penal_probite_corruption_blanchiment.md",
]
MAX_EXAMPLES = 25  # per operation and mode: the whole file runs in well under two minutes
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture(scope="module")
def api_app(tmp_path_factory):
    if not CORPUS_REAL.is_dir():
        pytest.skip(f"the real corpus is not at {CORPUS_REAL}")
    root = tmp_path_factory.mktemp("schemathesis")
    for source in FILES:  # copied at test time, never committed
        (root / "corpus" / source).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(CORPUS_REAL / source, root / "corpus" / source)
    library_settings = load_settings(environ={}, data_dir=str(root / "data"))
    with Library(library_settings) as library:
        library.init()
        report = library.ingest(root / "corpus", manifest=CORPUS_MANIFEST, workers=1)
        assert all(o.status == "ingested" for o in report.outcomes), [(o.source, o.status) for o in report.outcomes]
    app = create_app({"TESTING": True, "LEXREPO_SETTINGS": library_settings, "SECRET_KEY": "schemathesis"})
    yield app
    app.extensions["lexrepo"].close()


@pytest.fixture(scope="module")
def api_schema(api_app):
    return schemathesis.openapi.from_wsgi("/api/v1/openapi.json", api_app)


# The operations, from the description itself (its paths do not depend on the library).
OPERATIONS = [(method.upper(), path) for path, item in openapi_document(Settings())["paths"].items() for method in item]


# schemathesis.pytest.from_fixture does not run under pytest 9 (it reads a private node
# attribute): each operation's strategy runs under Hypothesis's own @given instead.
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("method, path", OPERATIONS, ids=[f"{m} {p}" for m, p in OPERATIONS])
def test_no_server_errors_and_responses_match_the_description(api_schema, method, path, mode):
    operation = api_schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    def call(case):
        case.call_and_validate(checks=CHECKS)

    try:
        call()
    except Unsatisfiable:
        if mode is GenerationMode.POSITIVE:
            raise
        pytest.skip(f"{method} {path} takes no input that can be made invalid")
