"""The ``kind = "edgar"`` [[source]] table: SEC XBRL company facts.

```toml
[[source]]
name = "edgar"
kind = "edgar"
user_agent = "Jane Doe jane@example.com"   # required by the SEC: a name and an e-mail
companies = [{cik = 1652044, entity = "GOOGL", name = "Alphabet Inc."}]  # added
defaults = true            # also today's six: NVDA, AMD, AVGO, ORCL, CRWV, MSFT
mapping = "edgar-mapping.yaml"   # optional: inputs replacing or added to the bundled map
api_url = "https://data.sec.gov" # optional: a mirror
```

Kept apart from :mod:`monitor.ops.sourceconfig`, which only hands the table over.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from monitor.data.observations import ENTITY_PATTERN
from monitor.data.sources.edgar import DEFAULT_API, DEFAULT_COMPANIES, Company, EdgarSource

EDGAR_KEYS = {"user_agent", "companies", "defaults", "mapping"}
COMPANY_KEYS = {"cik", "entity", "name"}
TABLE = "source"


def companies(options: dict[str, Any]) -> list[Company]:
    """The configured companies: today's six (unless ``defaults = false``) and the added."""
    added = [
        Company(int(c["cik"]), str(c["entity"]), str(c.get("name", "")))
        for c in options.get("companies") or []
    ]
    chosen = list(DEFAULT_COMPANIES) if options.get("defaults", True) else []
    ciks = {c.cik for c in added}
    return [c for c in chosen if c.cik not in ciks] + added  # an added CIK overrides


def build_edgar(name: str, options: dict[str, Any], base: Path) -> EdgarSource:
    mapping = options.get("mapping")
    return EdgarSource(
        companies(options),
        user_agent=options.get("user_agent"),
        name=name,
        mapping_path=(base / str(mapping)).resolve() if mapping else None,
        api_url=str(options.get("api_url", DEFAULT_API)),
    )


def check_edgar(check: Any, table: dict[str, Any], i: int) -> None:
    """Every problem of one edgar table, reported through the config's checker."""
    agent = table.get("user_agent")
    if not isinstance(agent, str) or not agent.strip():
        check.error(TABLE, "user_agent", 'the SEC requires one: "Your Name you@example.com"', i)
    elif "@" not in agent:
        check.error(TABLE, "user_agent", "needs a contact e-mail address (the SEC asks)", i)
    defaults = table.get("defaults", True)
    if not isinstance(defaults, bool):
        check.error(TABLE, "defaults", "true or false", i)
    mapping = table.get("mapping")
    if mapping is not None and not isinstance(mapping, str):
        check.error(TABLE, "mapping", "the path of a mapping YAML file", i)
    listed = table.get("companies", [])
    if not isinstance(listed, list):
        check.error(TABLE, "companies", "a list of {cik, entity, name}", i)
        listed = []
    entities = [c.entity for c in DEFAULT_COMPANIES] if defaults is not False else []
    default_ciks = {c.cik for c in DEFAULT_COMPANIES}
    for entry in listed:
        if not isinstance(entry, dict):
            check.error(TABLE, "companies", "each company is {cik, entity, name}", i)
            continue
        check.unknown(entry, COMPANY_KEYS, TABLE, i)
        cik, entity = entry.get("cik"), entry.get("entity")
        if isinstance(cik, bool) or not isinstance(cik, int) or not 0 < cik < 10**10:
            check.error(TABLE, "companies", "cik: the SEC's number, e.g. 1045810", i)
        if not isinstance(entity, str) or not re.match(ENTITY_PATTERN, entity):
            check.error(TABLE, "companies", "entity: the id observations carry, e.g. NVDA", i)
            continue
        if entity in entities and cik not in default_ciks:
            check.error(TABLE, "companies", f"entity {entity!r} is used twice", i)
        entities.append(entity)


def summary(options: dict[str, Any]) -> list[str]:
    """The companies, for ``monitor data sources``."""
    return [f"{c.entity} ({c.padded})" for c in companies(options)]
