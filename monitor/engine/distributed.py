"""Chunks as tasks on Dask distributed: a local cluster or an existing scheduler.

A task is a :class:`~monitor.engine.chunks.ChunkTask`: rule texts, the chunk's
indicator rows and the timing as plain data, so a worker on another machine needs the
``monitor`` package and nothing else of the client (no case folder, rule files or
plugins; no shared filesystem). Results come back as the chunk's kept rows. At most
two tasks per worker thread are in flight, so the client never holds every chunk's
rows at once. Dask is the ``[dask]`` extra, loaded through
:func:`monitor.core.optional.require`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from monitor.core.errors import MonitorError
from monitor.core.optional import require
from monitor.engine.chunked import Runner, in_process
from monitor.engine.chunks import ChunkResult, ChunkTask, run_chunk
from monitor.engine.scaling import Scaling

IN_FLIGHT_PER_THREAD = 2
CONNECT_TIMEOUT = "30s"


class DaskUnavailable(MonitorError):
    """The scheduler named by ``--scheduler`` could not be reached."""


def distributed_module() -> Any:
    return require("distributed", "dask")


def dask_runner(client: Any) -> Runner:
    """A runner submitting each chunk task to ``client``, a bounded number at a time."""
    distributed = distributed_module()

    def run(tasks: Iterable[ChunkTask]) -> list[ChunkResult]:
        threads = sum(client.nthreads().values()) or 1
        limit = IN_FLIGHT_PER_THREAD * threads
        pending = distributed.as_completed()
        done: list[ChunkResult] = []
        for task in tasks:
            key = f"monitor-chunk-{task.number}-{uuid.uuid4().hex}"  # never a stale result
            pending.add(client.submit(run_chunk, task, key=key))
            while pending.count() >= limit:
                done.append(next(pending).result())
        done.extend(future.result() for future in pending)
        return done

    return run


@contextmanager
def runner_for(scaling: Scaling) -> Iterator[Runner]:
    """The runner ``scaling`` asks for; a local cluster lives as long as the block."""
    if not scaling.distributed:
        yield in_process
        return
    distributed = distributed_module()
    if scaling.scheduler is not None:
        try:
            client = distributed.Client(scaling.scheduler, timeout=CONNECT_TIMEOUT)
        except (OSError, TimeoutError) as exc:
            raise DaskUnavailable(
                f"cannot reach the Dask scheduler at {scaling.scheduler}: {exc}"
            ) from None
        with client:
            yield dask_runner(client)
        return
    with (
        distributed.LocalCluster(
            n_workers=scaling.workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield dask_runner(client)
