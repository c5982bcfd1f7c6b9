"""Countries (ISO 3166-1 alpha-3, via pycountry) and their UN regional groups."""
from __future__ import annotations

import tomllib
from functools import lru_cache

import pycountry

from repository.config import CORPUS_DIR

REGIONS_FILE = CORPUS_DIR / "un_regional_groups.toml"


class UnknownCountry(ValueError):
    """Not an ISO 3166-1 alpha-3 code."""


@lru_cache(maxsize=1)
def regional_groups() -> dict[str, str]:
    """ISO alpha-3 -> UN regional group, for Member States and observers."""
    with REGIONS_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    groups: dict[str, str] = {}
    for table in ("groups", "observers"):
        for group, codes in data.get(table, {}).items():
            for code in codes:
                groups[code] = group
    return groups


def country_name(code: str) -> str:
    country = pycountry.countries.get(alpha_3=code.upper())
    if country is None:
        raise UnknownCountry(f"not an ISO 3166-1 alpha-3 country code: {code!r}")
    return getattr(country, "common_name", None) or country.name


def all_countries() -> list[tuple[str, str, str | None]]:
    """Every ISO 3166-1 country as (alpha-3, name, UN regional group or None)."""
    groups = regional_groups()
    return [
        (c.alpha_3, getattr(c, "common_name", None) or c.name, groups.get(c.alpha_3))
        for c in pycountry.countries
    ]
