"""SEC EDGAR XBRL company facts as a :class:`~monitor.data.sources.base.Source`.

One request per company: ``{api_url}/api/xbrl/companyfacts/CIK##########.json`` (the
CIK zero-padded to ten digits), which holds every XBRL fact the company has filed.
The facts are mapped onto indicator inputs by the tag chains of
:mod:`~monitor.data.sources.edgar_mapping` and turned into vintages by
:mod:`~monitor.data.sources.edgar_facts` (``filed`` becomes ``published``; a restated
value is a new vintage; quarters apart from year-to-date figures).

The SEC's fair-access rules: every request names its sender in the ``User-Agent``
(a name and a contact e-mail, taken from the config) and a client sends at most 10
requests a second (one :class:`~monitor.data.sources.ratelimit.RateLimiter` per
process, shared by every EDGAR source, waits before every attempt, retries included).
Requests go through :func:`monitor.data.sources.http.get` (429 with ``Retry-After``,
5xx, timeouts), and every error names the source and the CIK.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from monitor.core.errors import SourceError
from monitor.core.retry import RetryPolicy
from monitor.data.observations import ValidatedObservations, empty_frame, validate
from monitor.data.sources import http
from monitor.data.sources.base import SeriesInfo
from monitor.data.sources.edgar_facts import chain_vintages, observation_rows, usd_facts
from monitor.data.sources.edgar_mapping import TagChain, load_mapping
from monitor.data.sources.ratelimit import RateLimiter

DEFAULT_API = "https://data.sec.gov"
USER_AGENT_KEY = "user_agent"
MAX_REQUESTS_PER_SECOND = 10  # the SEC's fair-access limit
# one limiter per process: the limit is the SEC's per client, however many EDGAR
# sources a config declares
SEC_LIMITER = RateLimiter(MAX_REQUESTS_PER_SECOND, 1.0)


@dataclass(frozen=True)
class Company:
    """A filer: its SEC Central Index Key and the entity id observations carry."""

    cik: int
    entity: str
    name: str = ""

    @property
    def padded(self) -> str:
        return f"CIK{self.cik:010d}"


# Today's companies (brief sec. 4). Each CIK was checked against public material that
# quotes SEC URLs or filings with it (NVIDIA's own 10-K accession 0001045810-25-000023;
# data.sec.gov companyfacts/submissions URLs for the others; AMD's companyfacts
# excerpt in tests/data/fixtures/edgar says "cik": 2488). Broadcom is Broadcom Inc.
# (CIK 1730168, the filer since its 2018 redomiciling); Oracle is the post-2005 Oracle
# Corporation (1341439).
DEFAULT_COMPANIES = (
    Company(1045810, "NVDA", "NVIDIA Corporation"),
    Company(2488, "AMD", "Advanced Micro Devices, Inc."),
    Company(1730168, "AVGO", "Broadcom Inc."),
    Company(1341439, "ORCL", "Oracle Corporation"),
    Company(1769628, "CRWV", "CoreWeave, Inc."),
    Company(789019, "MSFT", "Microsoft Corporation"),
)


def check_user_agent(user_agent: str | None, source: str = "edgar") -> str:
    """The configured User-Agent, or an error naming the config key to set."""
    text = (user_agent or "").strip()
    if not text:
        raise SourceError(
            f"{source}: the SEC requires a User-Agent naming you: set {USER_AGENT_KEY} = "
            f'"Your Name you@example.com" in its [[source]] table of monitor.toml'
        )
    if "@" not in text:
        raise SourceError(
            f"{source}: {USER_AGENT_KEY} {text!r} has no contact e-mail address, "
            'which the SEC requires (e.g. "Your Name you@example.com")'
        )
    return text


class EdgarSource:
    """Company facts for a list of companies; see the module docstring."""

    def __init__(
        self,
        companies: Sequence[Company] = DEFAULT_COMPANIES,
        *,
        user_agent: str | None,
        name: str = "edgar",
        mapping: Mapping[str, TagChain] | None = None,
        mapping_path: Path | None = None,
        api_url: str = DEFAULT_API,
        timeout: float = 30.0,
        policy: RetryPolicy = http.DEFAULT_POLICY,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] | None = None,
    ) -> None:
        self.name = name
        self.user_agent = check_user_agent(user_agent, name)
        self.companies = list(companies)
        ids = [c.entity for c in self.companies]
        for i, entity in enumerate(ids):
            if entity in ids[:i]:
                raise SourceError(f"{name}: entity {entity!r} is given to two CIKs")
        self.mapping = dict(mapping) if mapping is not None else load_mapping(mapping_path)
        self.api_url = api_url.rstrip("/")
        self.timeout = timeout
        self.policy = policy
        self._sleep = sleep or time.sleep
        self.limiter = limiter or SEC_LIMITER

    # --- the Source interface ----------------------------------------------------------

    def fetch(self, since: pd.Timestamp | None = None) -> ValidatedObservations:
        data = ValidatedObservations(empty_frame())
        for company in self.companies:
            data = data.extend(self.fetch_company(company, since))
        return data

    def describe(self) -> list[SeriesInfo]:
        out = []
        for company in self.companies:
            for chain in self.mapping.values():
                tags = ", ".join(chain.tags)
                pairs = ((chain.series, "fiscal-annual"), (chain.quarterly, "quarterly"))
                for series, frequency in pairs:
                    if series is None:
                        continue
                    out.append(
                        SeriesInfo(
                            f"{company.padded}:{series}",
                            series,
                            f"{company.name or company.entity} {series}",
                            chain.unit,
                            frequency,
                            self._source(company),
                            notes=f"us-gaap tags, first with data wins: {tags}",
                        )
                    )
        return out

    # --- one company ---------------------------------------------------------------------

    def url(self, company: Company) -> str:
        return f"{self.api_url}/api/xbrl/companyfacts/{company.padded}.json"

    def fetch_company(
        self, company: Company, since: pd.Timestamp | None = None
    ) -> ValidatedObservations:
        origin = f"{self.name} {company.padded} ({company.entity})"
        response = http.get(
            origin,
            self.url(company),
            headers={"User-Agent": self.user_agent, "Accept": "application/json"},
            timeout=self.timeout,
            policy=self.policy,
            sleep=self._sleep,
            throttle=self.limiter.wait,
        )
        try:
            document = response.json()
        except ValueError:
            raise SourceError(f"{origin}: the answer is not JSON") from None
        if not isinstance(document, dict):
            raise SourceError(f"{origin}: the answer is not a companyfacts object")
        if document.get("cik") is not None and _int(document["cik"]) != company.cik:
            raise SourceError(f"{origin}: the answer is about CIK {document['cik']!r}")
        return self.observations(document, company, since)

    def observations(
        self,
        document: Mapping[str, object],
        company: Company,
        since: pd.Timestamp | None = None,
    ) -> ValidatedObservations:
        """Validated observations from one companyfacts document."""
        origin = f"{self.name} {company.padded} ({company.entity})"
        facts = usd_facts(document, origin)
        rows = []
        for chain in self.mapping.values():
            vintages = chain_vintages(chain, facts)
            rows += observation_rows(vintages, company.entity, chain, self._source(company), since)
        if not rows:
            return ValidatedObservations(empty_frame())
        return validate(pd.DataFrame(rows), origin, first_line=1)

    def _source(self, company: Company) -> str:
        return f"SEC EDGAR XBRL companyfacts {company.padded}"


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None
