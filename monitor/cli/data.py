"""``monitor data``: import observations into the vintaged store, show and validate them.

The store is the config's ``store`` (the run history's database), or ``--store URL``.
"""

from __future__ import annotations

import json
from pathlib import Path

import click

from monitor.cli.options import CONFIG, fail

STORE = click.option(
    "--store",
    "store_url",
    default=None,
    metavar="URL",
    help="SQLAlchemy URL of the store. [default: the config's store, else sqlite:///monitor.db]",
)


def _store(store_url: str | None, config_path: Path | None):  # type: ignore[no-untyped-def]
    from monitor.data.store import ObservationStore
    from monitor.ops.config import ConfigError, find_config

    if store_url is None:
        try:
            config = find_config(config_path)
        except ConfigError as exc:
            fail("\n".join(exc.problems))
        store_url = config.store if config is not None else "sqlite:///monitor.db"
    return ObservationStore(store_url)


@click.group()
def data() -> None:
    """Import observations into the vintaged store, show and validate them."""


@data.command("import")
@click.argument("path", type=click.Path(path_type=Path, exists=True, dir_okay=False))
@click.option(
    "--series",
    default=None,
    help="Series id, for a file of one series [default for a FRED CSV: its id, lowercased].",
)
@click.option("--entity", default=None, help="Entity id, for a file of one series (default US).")
@click.option("--unit", default=None, help="Unit, for a file of one series.")
@click.option("--source", "source_name", default=None, help="Source, where the file names none.")
@click.option(
    "--lag",
    "lag_days",
    type=int,
    default=None,
    help="Publication lag in days for blank published cells "
    "[default: the usual lag of --frequency].",
)
@click.option(
    "--frequency",
    default="monthly",
    type=click.Choice(["daily", "weekly", "monthly", "quarterly", "annual"]),
    help="The series' frequency (sets the default lag). [default: monthly]",
)
@click.option(
    "--revised-on",
    "revised_on",
    default=None,
    metavar="DATE",
    help="The day the file was downloaded: a value that differs from the stored one is "
    "a revision published that day (a new vintage), not a conflict.",
)
@STORE
@CONFIG
def import_(
    path: Path,
    series: str | None,
    entity: str | None,
    unit: str | None,
    source_name: str | None,
    lag_days: int | None,
    frequency: str,
    revised_on: str | None,
    store_url: str | None,
    config_path: Path | None,
) -> None:
    """Import a file into the store: a tidy observation CSV, a FRED download, a
    Parquet or Excel table of one series, or a facts YAML file.

    Rows already stored are skipped, a revised value is added as a new vintage, and a
    different value for a stored vintage is reported, never written.
    """
    import pandas as pd

    from monitor.core.errors import MonitorError
    from monitor.data.observations import read_csv
    from monitor.data.sources.facts import FactsSource
    from monitor.data.sources.files import FileSource, FileSpec, is_fred_csv, read_table

    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            observations = FactsSource(path).fetch()
        elif path.suffix.lower() == ".csv" and "series" in read_table(path).columns:
            observations = read_csv(path)
        else:
            table = read_table(path)
            if series is None and path.suffix.lower() == ".csv" and is_fred_csv(table):
                series = str(table.columns[1]).strip().lower()  # FEDFUNDS -> fedfunds
            if series is None or unit is None:
                fail(f"{path}: a file of one series needs --series and --unit")
            spec = FileSpec(
                path,
                series=series,
                entity=entity or "US",
                unit=unit,
                source=source_name,
                frequency=frequency,
                publication_lag_days=lag_days,
            )
            observations = FileSource([spec]).fetch()
        revised = pd.Timestamp(revised_on) if revised_on else None
        result = _store(store_url, config_path).add(observations, str(path), revised)
    except (MonitorError, ValueError) as exc:
        fail(str(exc))
        return
    click.echo(
        f"{path.name}: {result.added} added, {result.unchanged} already stored, "
        f"{len(result.conflicts)} conflicting, {len(observations.bad_rows)} bad row(s)"
    )
    for conflict in result.conflicts:
        click.echo(f"  conflict: {conflict}; a revision? pass --revised-on DATE", err=True)
    for bad in observations.bad_rows:
        click.echo(f"  {bad}", err=True)
    if result.conflicts or observations.bad_rows:
        raise SystemExit(1)


@data.command()
@click.argument("series")
@click.option("--entity", default=None, help="Only this entity.")
@click.option("--as-of", "as_of", default=None, metavar="DATE", help="Only what was published by.")
@click.option("--json", "as_json", is_flag=True, help="Print {date, value, published} rows.")
@STORE
@CONFIG
def show(
    series: str,
    entity: str | None,
    as_of: str | None,
    as_json: bool,
    store_url: str | None,
    config_path: Path | None,
) -> None:
    """Every stored vintage of a series: {date, value, published} rows.

    SERIES is a series id; a FRED id (FEDFUNDS) finds the series imported from it.
    """
    import pandas as pd

    from monitor.core.errors import MonitorError

    try:
        at = pd.Timestamp(as_of) if as_of else None
        frame = _store(store_url, config_path).frame(series.lower(), entity, at)
    except (MonitorError, ValueError) as exc:
        fail(str(exc))
        return
    rows = [
        {
            "entity": str(r.entity),
            "date": r.date.date().isoformat(),
            "value": float(r.value),
            "published": r.published.date().isoformat(),
        }
        for r in frame.itertuples(index=False)
    ]
    if entity is not None:
        rows = [{k: v for k, v in row.items() if k != "entity"} for row in rows]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(f"no stored rows of {series}")
    for row in rows:
        who = f"{row['entity']:<8} " if "entity" in row else ""
        click.echo(f"{who}{row['date']}  {row['value']:>14.6g}  published {row['published']}")


@data.command()
@STORE
@CONFIG
def validate(store_url: str | None, config_path: Path | None) -> None:
    """Check every stored row against the observation schema; exit 1 on a problem."""
    from monitor.core.errors import MonitorError
    from monitor.data.observations import validate as check

    try:
        store = _store(store_url, config_path)
        frame = store.frame()
    except MonitorError as exc:
        fail(str(exc))
        return
    result = check(frame, "store", first_line=1)
    click.echo(f"{len(frame)} stored row(s), {len(result.bad_rows)} problem(s)")
    for bad in result.bad_rows:
        click.echo(f"  {bad}", err=True)
    if result.bad_rows:
        raise SystemExit(1)


def _config(config_path: Path | None):  # type: ignore[no-untyped-def]
    from monitor.ops.config import ConfigError, find_config

    try:
        config = find_config(config_path)
    except ConfigError as exc:
        fail("\n".join(exc.problems))
    if config is None:
        fail("no monitor.toml here: declare [[source]] tables in it (see docs/sources.md)")
    return config


@data.command()
@CONFIG
def sources(config_path: Path | None) -> None:
    """The config's [[source]] tables: name, kind, series and when each was last checked."""
    from monitor.data.store import ObservationStore

    config = _config(config_path)
    store = ObservationStore(config.store)
    if not config.sources:
        click.echo("no [[source]] tables in the config")
    for source in config.sources:
        last = store.last_checked(source.name)
        seen = f"last checked {last['checked']} ({last['status']})" if last else "never checked"
        series = ", ".join(source.series_ids()) or "(from the file)"
        click.echo(f"{source.name:<12} {source.kind:<6} {series}  [{seen}]")


@data.command()
@click.option("--source", "only", default=None, metavar="NAME", help="Only this source.")
@click.option("--since", default=None, metavar="DATE", help="Only periods from this date.")
@CONFIG
def fetch(only: str | None, since: str | None, config_path: Path | None) -> None:
    """Refresh the store from the config's sources; a source that fails is named, the
    others still run, and the exit code is 1 (the stored data stays as it was)."""
    import pandas as pd

    from monitor.data.store import ObservationStore
    from monitor.ops.refresh import refresh_source

    config = _config(config_path)
    chosen = [s for s in config.sources if only is None or s.name == only]
    if only is not None and not chosen:
        fail(f"no source named {only!r} ({', '.join(s.name for s in config.sources)})")
    try:
        start = pd.Timestamp(since) if since else None
    except ValueError:
        fail(f"--since {since!r} is not a date")
    store = ObservationStore(config.store)
    failed: list[str] = []
    lines: list[str] = []
    with click.progressbar(chosen, label="fetching", item_show_func=_name) as bar:
        for source in bar:
            outcome = refresh_source(store, source, start)  # the scheduled runs' path too
            (lines if outcome.ok else failed).append(outcome.line())
    for line in lines:
        click.echo(line)
    for line in failed:
        click.echo(f"error: {line} (stored data kept)", err=True)
    if failed:
        raise SystemExit(1)


def _name(source: object) -> str:
    return getattr(source, "name", "") if source is not None else ""
