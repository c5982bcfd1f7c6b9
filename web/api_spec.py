"""The OpenAPI 3.1 description of the JSON API (web/api.py), maintained by hand next to it.

tests/test_api.py keeps it true: the document is validated, every route of the blueprint
must be described, real responses are checked against the schemas, and Schemathesis
(tests/test_api_schemathesis.py) calls every operation with generated parameters.
"""
from __future__ import annotations

from repository.config import Settings
from repository.convention import ARTICLE_COUNT
from repository.export import FORMATS
from repository.models import DocumentStatus, DocumentType, JobState, Region, TagStatus
from repository.uploads import METADATA_FIELDS

VERSION = "1.0.0"


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _nullable(kind: str, **extra) -> dict:
    return {"type": [kind, "null"], **extra}


def _object(properties: dict, required: list[str] | None = None) -> dict:
    return {"type": "object", "properties": properties, "required": list(properties) if required is None else required}


STRING = {"type": "string"}
ID = {"type": "integer", "minimum": 1}
INTEGER = {"type": "integer"}
URL = {"type": "string", "format": "uri"}
LINKS = {"url": URL, "html_url": URL}
ARTICLE_NUMBER = {"type": "integer", "minimum": 1, "maximum": ARTICLE_COUNT}
YEAR_VALUE = {"type": "string", "pattern": r"^(\d{4}|\d{4}-|-\d{4}|\d{4}-\d{4})$"}


def _array_param(name: str, description: str, items: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "style": "form", "explode": True,
            "description": description + " Repeat the parameter (or separate values by commas) to combine values (OR).",
            "schema": {"type": "array", "items": items or STRING}}


def _param(name: str, description: str, schema: dict, where: str = "query", required: bool = False) -> dict:
    return {"name": name, "in": where, "required": required or where == "path", "description": description,
            "schema": schema}


def _errors(*codes: int) -> dict:
    return {str(code): {"$ref": f"#/components/responses/{_ERROR_NAMES[code]}"} for code in codes}


_ERROR_NAMES = {400: "BadRequest", 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 413: "PayloadTooLarge",
                429: "TooManyRequests"}


def _json(schema: dict, description: str = "OK") -> dict:
    return {"200": {"description": description, "content": {"application/json": {"schema": schema}}}}


def _paged(item: str, extra: dict | None = None) -> dict:
    return {"allOf": [_ref("Page"), _object({"results": {"type": "array", "items": _ref(item)}, **(extra or {})})]}


def schemas(settings: Settings) -> dict:
    del settings  # the schemas do not depend on the settings; the parameters do
    error = _object({"error": _object({"status": INTEGER, "message": STRING})})
    version = _object({
        "id": INTEGER, "document_id": INTEGER, "seq": {"type": "integer", "minimum": 1}, "sha256": STRING,
        "media_type": STRING, "original_filename": STRING, "size": INTEGER, "page_count": INTEGER,
        "received_at": {"type": "string", "format": "date-time"}, "provisions": INTEGER,
        "current": {"type": "boolean"}, **LINKS,
    })
    document = _object({
        "id": INTEGER, "title": STRING, "short_title": STRING,
        "country": {"type": "string", "description": "ISO 3166 alpha-3; empty for international instruments"},
        "type": {"enum": [t.value for t in DocumentType]}, "language": STRING, "year": _nullable("integer"),
        "date_adopted": _nullable("string", format="date"), "status": {"enum": [s.value for s in DocumentStatus]},
        "source": STRING, "official_url": STRING, "provenance": STRING,
        "current_version": _nullable("integer", description="seq of the newest version"), **LINKS,
    })
    provision_summary = _object({
        "id": INTEGER, "number": STRING, "label": STRING, "heading": STRING, "kind": STRING, "anchor": STRING,
        "parent_id": _nullable("integer"), "page_start": _nullable("integer"), **LINKS,
    })
    tag = _object({
        "id": INTEGER, "provision_id": INTEGER, "article": ARTICLE_NUMBER, "paragraph": STRING,
        "status": {"enum": [s.value for s in TagStatus]}, "confidence": {"type": "number", "minimum": 0, "maximum": 1},
        "origin": STRING, "explanation": STRING,
    })
    implementation = _object({
        "provision_id": INTEGER, "document_id": INTEGER, "anchor": STRING, "label": STRING, "number": STRING,
        "heading": STRING, "document_title": STRING, "short_title": STRING, "year": _nullable("integer"),
        "country": STRING, "status": {"enum": ["confirmed", "suggested"]}, "confidence": {"type": "number"},
        "reference": STRING, **LINKS,
    })
    return {
        "Error": error,
        "Page": _object({
            "total": {"type": "integer", "minimum": 0}, "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1},
            "next": _nullable("string", format="uri"), "prev": _nullable("string", format="uri"),
        }),
        "SearchResult": _object({
            "source": STRING, "number": STRING, "country": STRING, "title": STRING, "heading": STRING,
            "articles": {"type": "array", "items": ARTICLE_NUMBER},
            "snippet": {"type": "string", "description": "plain text, no markup"},
            "highlights": {"type": "array", "description": "[start, end) character offsets of matches in snippet",
                           "items": {"type": "array", "items": INTEGER, "minItems": 2, "maxItems": 2}},
            "score": {"type": "number"}, "label": STRING, "anchor": STRING, "language": STRING,
            "year": _nullable("integer"), "document_id": INTEGER, "version_id": INTEGER, "provision_id": INTEGER,
            "page": _nullable("integer"), "citation": STRING, **LINKS,
        }),
        "Facet": _object({"value": STRING, "count": {"type": "integer", "minimum": 0}}),
        "Document": document,
        "DocumentWithVersions": {"allOf": [document, _object({"versions": {"type": "array", "items": _ref("Version")}})]},
        "Version": version,
        "VersionWithProvisions": {"allOf": [
            {**version, "properties": {**version["properties"], "provisions": {"type": "array", "items": _ref("ProvisionSummary")}}},
            _object({"provision_count": INTEGER}),
        ]},
        "ProvisionSummary": provision_summary,
        "Provision": _object({
            **{k: v for k, v in provision_summary["properties"].items()},
            "position": INTEGER, "page_end": _nullable("integer"), "text": STRING,
            "convention_article": _nullable("integer"), "document_id": INTEGER, "version_id": INTEGER,
            "version_seq": INTEGER, "current": {"type": "boolean"},
            "tags": {"type": "array", "items": _ref("Tag")},
            "citation": _object({"pinpoint": STRING, "permalink": URL, "title": STRING, "country": STRING,
                                 "year": _nullable("integer"), "version_date": {"type": "string", "format": "date"}}),
            "document_url": URL, "version_url": URL,
        }),
        "Tag": tag,
        "TagListing": {"allOf": [tag, _object({"document_id": INTEGER, "version_seq": INTEGER, "country": STRING,
                                                "provision_url": URL, "html_url": URL})]},
        "ArticleSummary": _object({
            "number": ARTICLE_NUMBER, "title": STRING, "chapter": STRING, "obligation": _nullable("string"),
            "provisions": INTEGER, "countries": INTEGER, **LINKS,
        }),
        "Implementation": implementation,
        "Article": _object({
            "number": ARTICLE_NUMBER, "title": STRING, "chapter": STRING, "chapter_title": STRING,
            "obligation": _nullable("string"), "provisions": INTEGER,
            "countries": {"type": "array", "items": _object({
                "code": {"type": "string", "description": "ISO alpha-3; empty for international instruments"},
                "name": STRING, "region": STRING, "confirmed": INTEGER,
                "implementations": {"type": "array", "items": _ref("Implementation")},
            })},
            **LINKS,
        }),
        "CountrySummary": _object({
            "code": STRING, "name": STRING, "region": STRING, "documents": INTEGER, "provisions": INTEGER, **LINKS,
        }),
        "Country": _object({
            "code": STRING, "name": STRING, "region": STRING,
            "documents": {"type": "array", "items": _object({
                "id": INTEGER, "title": STRING, "short_title": STRING, "type": STRING, "year": _nullable("integer"),
                "status": STRING, "language": STRING, "provisions": INTEGER, **LINKS,
            })},
            "coverage": {"type": "array", "items": _object({
                "article": ARTICLE_NUMBER, "title": STRING, "chapter": STRING, "obligation": _nullable("string"),
                "status": {"enum": ["confirmed", "suggested", "none"]}, "confirmed": INTEGER, "suggested": INTEGER,
                "provisions": {"type": "array", "items": _ref("Implementation")},
            })},
            "covered_articles": INTEGER, **LINKS,
        }),
        "Job": _object({
            "id": INTEGER, "state": {"enum": [s.value for s in JobState]}, "reason": STRING,
            "original_filename": STRING, "size": INTEGER, "media_type": STRING, "metadata": {"type": "object"},
            "batch": _nullable("string"), "attempts": INTEGER, "submitted_by_id": _nullable("integer"),
            "created_at": _nullable("string", format="date-time"), "updated_at": _nullable("string", format="date-time"),
            "started_at": _nullable("string", format="date-time"), "finished_at": _nullable("string", format="date-time"),
            "document_id": _nullable("integer"), "version_seq": _nullable("integer"),
            "document_url": _nullable("string", format="uri"), "url": URL,
        }),
        "TagDecision": _object({"changed": {"type": "boolean"}, "tag": _ref("TagListing")}),
        "NewTag": _object({"article": ARTICLE_NUMBER, "paragraph": {"type": "string", "maxLength": 16}},
                          required=["article"]),
        "ExportRequest": {**_object({
            "format": {"enum": list(FORMATS)},
            "provision_ids": {"type": "array", "items": {**ID, "maximum": 2**63 - 1}, "minItems": 1, "maxItems": 1000},
            "notes": {"type": "object", "additionalProperties": STRING,
                      "description": "provision id (as a string) -> the note exported with it"},
        }, required=["format", "provision_ids"])},
    }


def _export_content() -> dict:
    content = {}
    for spec in FORMATS.values():
        media_type = spec.media_type.split(";")[0]
        content[media_type] = {"schema": {} if media_type.endswith("json") else {"type": "string", "format": "binary"}}
    return content


def openapi_document(settings: Settings, server_url: str = "/api/v1") -> dict:
    top = settings.search_limit_max
    paging = [
        _param("page", "Page number (1-based).", {"type": "integer", "minimum": 1, "maximum": 100_000}),
        _param("per_page", f"Results per page (default {settings.search_limit}).",
               {"type": "integer", "minimum": 1, "maximum": top}),
        _param("limit", "Alternative to per_page (with offset instead of page).",
               {"type": "integer", "minimum": 1, "maximum": top}),
        _param("offset", "Alternative to page: results to skip, a multiple of limit.",
               {"type": "integer", "minimum": 0, "maximum": 100_000 * top}),
    ]
    search_filters = [
        _param("q", 'Query: words (all must match), "phrases", AND/OR/NOT, field:value (country:DEU, article:16, '
                    "number:261, language:de, type:code, year:2013) and prefix*. Empty with filters lists provisions.",
               STRING),
        _array_param("country", "ISO 3166 alpha-3 country code."),
        _array_param("region", "UN regional group.", {"enum": [r.value for r in Region]}),
        _array_param("article", "UNCAC article number.", ARTICLE_NUMBER),
        _array_param("chapter", "UNCAC chapter (Roman numeral)."),
        _array_param("type", "Document type.", {"enum": [t.value for t in DocumentType]}),
        _array_param("language", "ISO 639-1 language code of the document."),
        _array_param("year", "Year (2013) or range (2000-2010).", YEAR_VALUE),
        _array_param("status", "Document status.", {"enum": [s.value for s in DocumentStatus]}),
    ]
    sort = _param("sort", "relevance (default) or date (newest first).", {"enum": ["relevance", "date"]})
    document_id = _param("document_id", "Document id.", INTEGER, "path")
    reads = _errors(400, 429)
    paths = {
        "/search": {"get": {
            "operationId": "search", "summary": "Search provisions, with facets", "tags": ["search"],
            "parameters": search_filters + [sort] + paging,
            "responses": {**_json(_paged("SearchResult", {"facets": {
                "type": "object", "description": "facet name -> values with their number of matches",
                "additionalProperties": {"type": "array", "items": _ref("Facet")}}})), **reads},
        }},
        "/documents": {"get": {
            "operationId": "listDocuments", "summary": "Documents, by id", "tags": ["documents"],
            "parameters": [p for p in search_filters if p["name"] in ("country", "type", "language", "status")]
            + [_array_param("year", "Year of the document.", {"type": "integer", "minimum": 0, "maximum": 9999})] + paging,
            "responses": {**_json(_paged("Document")), **reads},
        }},
        "/documents/{document_id}": {"get": {
            "operationId": "getDocument", "summary": "A document's metadata and its versions", "tags": ["documents"],
            "parameters": [document_id],
            "responses": {**_json(_ref("DocumentWithVersions")), **_errors(404, 429)},
        }},
        "/documents/{document_id}/versions/{seq}": {"get": {
            "operationId": "getVersion", "summary": "A version's metadata and its provisions", "tags": ["documents"],
            "parameters": [document_id, _param("seq", "Version number within the document (1, 2, ...).", INTEGER, "path")],
            "responses": {**_json(_ref("VersionWithProvisions")), **_errors(404, 429)},
        }},
        "/provisions/{provision_id}": {"get": {
            "operationId": "getProvision", "summary": "A provision's text, tags and citation", "tags": ["documents"],
            "parameters": [_param("provision_id", "Provision id.", INTEGER, "path")],
            "responses": {**_json(_ref("Provision")), **_errors(404, 429)},
        }},
        "/tags": {"get": {
            "operationId": "listTags", "summary": "UNCAC article tags of provisions (current versions)",
            "tags": ["articles"],
            "parameters": [_array_param("article", "UNCAC article number.", ARTICLE_NUMBER),
                           _array_param("country", "ISO 3166 alpha-3 country code."),
                           _array_param("status", "Tag status.", {"enum": [s.value for s in TagStatus]})] + paging,
            "responses": {**_json(_paged("TagListing")), **reads},
        }},
        "/articles": {"get": {
            "operationId": "listArticles", "summary": "UNCAC chapters and articles with their coverage",
            "tags": ["articles"],
            "responses": {**_json(_object({
                "total": INTEGER,
                "chapters": {"type": "array", "items": _object({
                    "number": STRING, "title": STRING, "articles": {"type": "array", "items": ARTICLE_NUMBER}})},
                "results": {"type": "array", "items": _ref("ArticleSummary")},
            })), **_errors(429)},
        }},
        "/articles/{number}": {"get": {
            "operationId": "getArticle", "summary": "An article and its implementing provisions by country",
            "tags": ["articles"],
            "parameters": [_param("number", "UNCAC article number (1-71).", INTEGER, "path"),
                           _array_param("country", "Only these countries (ISO alpha-3).")],
            "responses": {**_json(_ref("Article")), **_errors(404, 429)},
        }},
        "/countries": {"get": {
            "operationId": "listCountries", "summary": "Countries with documents", "tags": ["countries"],
            "responses": {**_json(_object({"total": INTEGER,
                                           "results": {"type": "array", "items": _ref("CountrySummary")}})),
                          **_errors(429)},
        }},
        "/countries/{iso3}": {"get": {
            "operationId": "getCountry", "summary": "A country's documents and coverage per article",
            "tags": ["countries"],
            "parameters": [_param("iso3", "ISO 3166 alpha-3 code.", STRING, "path")],
            "responses": {**_json(_ref("Country")), **_errors(404, 429)},
        }},
        "/export": {
            "get": {
                "operationId": "exportSearch", "summary": "Export the matches of a search, or a comparative annex",
                "description": "With q and/or filters: the matching provisions in ranking order. With exactly one "
                               "article and countries: how those countries implemented it, grouped by country.",
                "tags": ["export"],
                "parameters": [_param("format", "Export format.", {"enum": list(FORMATS)}, required=True)]
                + search_filters + [sort,
                                    _array_param("countries", "Countries to compare (with one article)."),
                                    _param("limit", "Most provisions (per country when comparing).",
                                           {"type": "integer", "minimum": 1, "maximum": top})],
                "responses": {"200": {"description": "The export, as an attachment", "content": _export_content()},
                              **reads},
            },
            "post": {
                "operationId": "exportList", "summary": "Export a citation list given by provision ids",
                "tags": ["export"],
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("ExportRequest")}}},
                "responses": {"200": {"description": "The export, as an attachment", "content": _export_content()},
                              **_errors(400, 404, 413, 429)},
            },
        },
        **_staff_paths(),
        **_citation_list_paths(),
        "/openapi.json": {"get": {
            "operationId": "openapi", "summary": "This description", "tags": ["meta"],
            "responses": {**_json({"type": "object"}), **_errors(429)},
        }},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "lexrepo API", "version": VERSION,
            "description": "Anti-corruption law by provision, tagged with the UNCAC articles it implements. "
                           "Errors are JSON: {\"error\": {\"status\": N, \"message\": \"...\"}}.",
        },
        "servers": [{"url": server_url}],
        "paths": paths,
        "components": {
            "schemas": {**schemas(settings), **_citation_list_schemas()},
            "securitySchemes": {"bearerAuth": {
                "type": "http", "scheme": "bearer",
                "description": "A staff API token (`lexrepo users token NAME`); staff endpoints need the editor role.",
            }},
            "responses": {
                name: {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}
                for name, description in (
                    ("BadRequest", "A parameter or the query is wrong; the message says what"),
                    ("Unauthorized", "No API token, or one the library does not know"),
                    ("Forbidden", "The account's role does not allow this"),
                    ("NotFound", "No such resource"),
                    ("PayloadTooLarge", "The request body is larger than the library accepts"),
                    ("TooManyRequests", "Too many requests from this client; wait and retry"),
                )
            },
        },
    }


def _staff_paths() -> dict:
    secured = {"security": [{"bearerAuth": []}], "tags": ["staff"]}
    tag_id = _param("tag_id", "Tag id.", INTEGER, "path")

    def decision(verb: str) -> dict:
        return {"post": {
            **secured, "operationId": f"{verb}Tag", "summary": f"{verb.capitalize()} a tag (editor)",
            "parameters": [tag_id],
            "responses": {**_json(_ref("TagDecision")), **_errors(401, 403, 404, 429)},
        }}

    upload_fields = {name: STRING for name in METADATA_FIELDS}
    upload_fields["file"] = {"type": "string", "format": "binary"}
    return {
        "/uploads": {"post": {
            **secured, "operationId": "upload", "summary": "Upload one file with its metadata (editor)",
            "description": "The file is stored and queued; the worker extracts, tags and indexes it. "
                           "Follow the job's url (also the Location header) for its state.",
            "requestBody": {"required": True, "content": {"multipart/form-data": {"schema": {
                "type": "object", "properties": upload_fields, "required": ["file"]}}}},
            "responses": {"202": {"description": "Queued", "content": {"application/json": {"schema": _ref("Job")}}},
                          **_errors(400, 401, 403, 413, 429)},
        }},
        "/jobs/{job_id}": {"get": {
            **secured, "operationId": "getJob",
            "summary": "An upload's job: its state and, once indexed, its document (the submitting editor or an admin)",
            "parameters": [_param("job_id", "Job id.", INTEGER, "path")],
            "responses": {**_json(_ref("Job")), **_errors(401, 403, 404, 429)},
        }},
        "/tags/{tag_id}/confirm": decision("confirm"),
        "/tags/{tag_id}/reject": decision("reject"),
        "/provisions/{provision_id}/tags": {"post": {
            **secured, "operationId": "addTag", "summary": "Tag a provision with an article, confirmed (editor)",
            "parameters": [_param("provision_id", "Provision id.", INTEGER, "path")],
            "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("NewTag")}}},
            "responses": {"201": {"description": "Tagged",
                                  "content": {"application/json": {"schema": _ref("TagDecision")}}},
                          **_errors(400, 401, 403, 404, 429)},
        }},
    }


# -- saved citation lists (web/api_citation_lists.py) ------------------------------------------

def _citation_list_schemas() -> dict:
    summary = {"id": INTEGER, "name": STRING, "owner": STRING, "size": INTEGER,
               "created_at": {"type": "string", "format": "date-time"},
               "updated_at": {"type": "string", "format": "date-time"}, "url": URL}
    entry = _object({"position": {"type": "integer", "minimum": 1}, "provision_id": INTEGER, "note": STRING,
                     "pinpoint": STRING, "permalink": URL, "provision_url": URL})
    return {
        "CitationListSummary": _object(summary),
        "CitationList": _object({**summary, "entries": {"type": "array", "items": entry}}),
        "NewCitationList": _object({
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "provision_ids": {"type": "array", "items": {**ID, "maximum": 2**63 - 1}, "maxItems": 500},
            "notes": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 1000},
                      "description": "provision id (as a string) -> the note kept with it"},
        }, required=["name", "provision_ids"]),
    }


def _citation_list_paths() -> dict:
    secured = {"security": [{"bearerAuth": []}], "tags": ["staff"]}
    list_id = _param("list_id", "Saved citation list id.", INTEGER, "path")
    return {
        "/citation-lists": {
            "get": {**secured, "operationId": "listCitationLists", "summary": "Your saved citation lists (editor)",
                    "responses": {**_json(_object({"total": INTEGER, "results": {
                        "type": "array", "items": _ref("CitationListSummary")}})), **_errors(401, 403, 429)}},
            "post": {**secured, "operationId": "saveCitationList",
                     "summary": "Save a citation list by name; a list of yours with that name is replaced (editor)",
                     "requestBody": {"required": True,
                                     "content": {"application/json": {"schema": _ref("NewCitationList")}}},
                     "responses": {"201": {"description": "Saved",
                                           "content": {"application/json": {"schema": _ref("CitationList")}}},
                                   **_errors(400, 401, 403, 413, 429)}},
        },
        "/citation-lists/{list_id}": {
            "get": {**secured, "operationId": "getCitationList",
                    "summary": "A saved list with its entries (its owner, or an admin)", "parameters": [list_id],
                    "responses": {**_json(_ref("CitationList")), **_errors(401, 403, 404, 429)}},
            "delete": {**secured, "operationId": "deleteCitationList", "summary": "Delete a saved list (its owner)",
                       "parameters": [list_id],
                       "responses": {"204": {"description": "Deleted"}, **_errors(401, 403, 404, 429)}},
        },
    }

