"""Where the assignment's shards run: in this process, in a process pool, or on Dask.

:func:`matcher.assign.solve` takes any :class:`concurrent.futures.Executor`; this module opens
the one a setting names and closes it afterwards:

- ``"serial"``: none; the shards run one after the other in this process;
- ``"processes"``: a :class:`concurrent.futures.ProcessPoolExecutor` on this machine;
- ``"dask"``: the executor of a Dask distributed ``Client``, connected to the scheduler at
  ``dask_scheduler`` (``tcp://host:8786``), or to a ``LocalCluster`` started in this process
  when no address is given. Needs the optional extra: ``pip install -e '.[dask]'``.

Each shard's answer depends only on the shard, so the outputs are the same, byte for byte,
whichever executor ran them.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from concurrent.futures import Executor, ProcessPoolExecutor
from contextlib import contextmanager

from matcher.config import EXECUTORS
from matcher.errors import ConfigError
from matcher.validate import Options, validate_params

__all__ = ["DASK_MISSING", "check_executor", "open_executor"]

DASK_MISSING = (
    "executor='dask' needs Dask distributed, which is not installed. "
    "Install the extra: pip install -e '.[dask]'"
)


def check_executor(name: str) -> None:
    """Fail before any work when the executor's library is missing."""
    if name == "dask" and importlib.util.find_spec("distributed") is None:
        raise ConfigError(DASK_MISSING)


@contextmanager
def open_executor(name: str, scheduler: str | None = None,
                  workers: int | None = None) -> Iterator[Executor | None]:
    """The executor ``name`` names (``None`` for ``"serial"``), shut down on leaving."""
    check_executor(name)
    if name == "serial":
        yield None
    elif name == "processes":
        with ProcessPoolExecutor(max_workers=workers) as pool:
            yield pool
    elif name == "dask":
        from distributed import Client, LocalCluster

        if scheduler is None:
            # workers as threads of this process: nothing to start but the scheduler
            with LocalCluster(n_workers=1, threads_per_worker=workers, processes=False,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                yield client.get_executor()
        else:
            with Client(scheduler) as client:
                yield client.get_executor()
    else:
        validate_params("MatchConfig", {"executor": name}, {"executor": [Options(EXECUTORS)]},
                        error=ConfigError)
