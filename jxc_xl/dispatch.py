"""Map a per-file function over a batch: here, in a local process pool, or on a Dask distributed cluster.

The one home of how the per-store work of validate, sync and consolidate runs (``jxc_xl.batch`` finds the
files; the caller says what is done to each). However it runs, the results are the same, in the order of the
items, and one item's failure is that item's result (the caller's ``fallback``), never a stopped batch:

- here (``jobs`` 1, or a single item): one after another;
- a local process pool (``jobs`` > 1): a worker that dies or fails (a crash in a native reader, a result that
  cannot cross back) costs only its own item, which is retried alone and, failing again, gets the fallback;
- a Dask distributed cluster (``scheduler``: the address of a running scheduler, ``tcp://host:8786``): each
  item is one task. A task that raises gets the fallback; one whose worker died more often than the
  scheduler allows (Dask's ``KilledWorker``: it may have been another task's crash) is tried again alone and,
  failing again, gets the fallback. Every worker needs jxc-xl installed (``pip install 'jxc-xl[dask]'``,
  the same version) and opens each file by the path it is sent: paths go as the arguments name them (folders
  and globs are expanded where jxc runs), so the stores must be on a filesystem every worker mounts at the
  same path (relative paths: every worker started in the same directory). A file a worker cannot read is
  that file's result — validate: a file-unreadable finding; sync: failed; consolidate: unreadable.

Dask is imported only here, and only when a scheduler is given: importing ``jxc_xl`` never loads it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from functools import partial
from typing import Any, Generic, TypeVar

from jxc_xl.errors import UsageError

__all__ = ["CONNECT_TIMEOUT_S", "FATAL", "run_all"]

# Never swallowed; everything else a worker or a reader throws (even a Rust panic, a BaseException) is the
# file's problem.
FATAL = (KeyboardInterrupt, SystemExit, GeneratorExit)
CONNECT_TIMEOUT_S = 30  # how long to try to reach the scheduler before saying it cannot be reached

Job = TypeVar("Job", bound=tuple[Any, ...])  # one item's arguments (picklable, to reach a worker process)
Result = TypeVar("Result")


@dataclass(frozen=True)
class _Batch(Generic[Job, Result]):
    """What is mapped: the work for one item, the items, the progress tick and the result of a failed item."""

    fn: Callable[..., Result]
    items: Sequence[Job]
    tick: Callable[[], None]
    fallback: Callable[[Job, BaseException], Result]

    def settle(self, i: int, get: Callable[[], Result]) -> Result:
        """Item ``i``'s result from ``get()``, or its fallback when that raises anything but FATAL; ticks."""
        try:
            out = get()
        except FATAL:
            raise
        except BaseException as e:  # the item's problem, whatever it is
            out = self.fallback(self.items[i], e)
        self.tick()
        return out


def run_all(
    fn: Callable[..., Result],
    args: Sequence[Job],
    jobs: int,
    tick: Callable[[], None],
    fallback: Callable[[Job, BaseException], Result],
    *,
    scheduler: str | None = None,
) -> list[Result]:
    """``fn(*a)`` for every ``a``, in order: here, in ``jobs`` worker processes, or on a Dask cluster.

    Args:
        fn: the work for one item, called with the item's arguments (a module-level function, to pickle).
        args: each item's arguments, a tuple (a NamedTuple names them for ``fallback``).
        jobs: worker processes; 1 runs everything here (not used with ``scheduler``).
        tick: called once per finished item.
        fallback: the result of an item whose ``fn`` failed, from its arguments and the error.
        scheduler: the address of a Dask distributed scheduler to run the items on (``tcp://host:8786``).

    Returns:
        The results in the order of ``args``.

    Raises:
        UsageError: ``scheduler`` is given but Dask is not installed, or no scheduler answers at that address.
    """
    batch: _Batch[Job, Result] = _Batch(fn, args, tick, fallback)
    if scheduler is not None:
        return _on_cluster(batch, scheduler)
    if jobs <= 1 or len(args) <= 1:
        return [batch.settle(i, partial(fn, *a)) for i, a in enumerate(args)]
    return _in_pool(batch, jobs)


def _in_pool(batch: _Batch[Job, Result], jobs: int) -> list[Result]:
    out: dict[int, Result] = {}
    retry: list[int] = []
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        futures: dict[Future[Result], int] = {pool.submit(batch.fn, *a): i for i, a in enumerate(batch.items)}
        for fut in as_completed(futures):
            i = futures[fut]
            try:
                out[i] = fut.result()
                batch.tick()
            except FATAL:
                raise
            except BaseException:  # BrokenProcessPool, PicklingError, anything the worker let through
                retry.append(i)
    for i in retry:  # each alone, so one crashing file cannot take the others down again
        out[i] = batch.settle(i, partial(_alone, batch.fn, batch.items[i]))
    return [out[i] for i in range(len(batch.items))]


def _alone(fn: Callable[..., Result], a: tuple[Any, ...]) -> Result:
    with ProcessPoolExecutor(max_workers=1) as pool:
        return pool.submit(fn, *a).result()


def _client(scheduler: str) -> Any:
    """A Dask client connected to ``scheduler`` (a UsageError, in English like every usage line, if it cannot
    be: Dask missing, or nothing answers at the address)."""
    try:
        from distributed import Client
    except ImportError:
        raise UsageError.said("batch_no_dask", address=scheduler) from None
    try:
        return Client(scheduler, timeout=CONNECT_TIMEOUT_S, set_as_default=False)
    except (OSError, ValueError, TypeError) as e:  # refused, timed out, not an address
        detail = f"{type(e).__name__}: {e}".strip()[:300]
        raise UsageError.said("batch_no_scheduler", address=scheduler, detail=detail) from None


def _on_cluster(batch: _Batch[Job, Result], scheduler: str) -> list[Result]:
    if not batch.items:
        return []
    client = _client(scheduler)
    try:
        from distributed import KilledWorker
        from distributed import as_completed as completed

        # pure=False: every item is run, even two with the same arguments (a sync writes its file).
        futures = [client.submit(batch.fn, *a, pure=False) for a in batch.items]
        index = {f.key: i for i, f in enumerate(futures)}
        out: dict[int, Result] = {}
        retry: list[int] = []
        for fut in completed(futures, loop=client.loop):
            i = index[fut.key]
            if fut.status == "error" and isinstance(fut.exception(), KilledWorker):
                retry.append(i)  # its worker died, maybe for another item it held: try it again alone
            else:
                out[i] = batch.settle(i, fut.result)
        for i in sorted(retry):  # one at a time, so a crashing file cannot take the others down again
            out[i] = batch.settle(i, partial(_submit_alone, client, batch.fn, batch.items[i]))
        return [out[i] for i in range(len(batch.items))]
    finally:
        client.close()


def _submit_alone(client: Any, fn: Callable[..., Result], a: tuple[Any, ...]) -> Result:
    result: Result = client.submit(fn, *a, pure=False).result()
    return result
