"""Where the points run: a local process pool, or a Dask distributed cluster.

Both yield `(task, row)` as points finish, in completion order, and both run
`runner.run_task`. The local pool survives a worker's death (segfault, OOM
kill): the points that were in flight then run again alone, one process
each, so the point that crashes is the one recorded as crashed. On Dask the scheduler already retries the tasks of a lost worker
and gives up on one that kills workers repeatedly (`KilledWorker`), which is
recorded the same way.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections import deque
from concurrent.futures import ALL_COMPLETED, FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Iterator, Sequence

from .points import SweepError, Task
from .runner import CRASHED, ERROR, failed_row, run_task


#: Thread-pool sizes of the numeric libraries in a worker: parallelism is across points, so one thread
#: each (set before numpy, scipy or torch load in the fresh worker, which is when they read them).
ONE_THREAD = {v: "1" for v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def _one_thread() -> None:
    os.environ.update(ONE_THREAD)


def _pool(workers: int) -> ProcessPoolExecutor:
    # spawn: a fresh interpreter per worker; forking a process that has loaded torch or MLIR is unsafe.
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_one_thread)


def _outcome(future, task: Task):
    """The row of a finished future, or None when its pool broke under it."""
    try:
        return future.result()
    except BrokenProcessPool:
        return None
    except Exception as e:
        return failed_row(task, ERROR, f"internal error: {type(e).__name__}: {e}")


def run_local(tasks: Sequence[Task], workers: int) -> Iterator[tuple[Task, dict]]:
    """Runs `tasks` on a pool of `workers` processes; yields (task, row) as each finishes.

    At most `workers` points are in flight, so when a worker dies the suspects are known: those
    points run again alone, one at a time, after the others (which go on in a fresh pool)."""
    queue, alone = deque(tasks), []
    while queue:
        pool, in_flight, broken, finished = _pool(max(1, min(workers, len(queue)))), {}, False, False
        try:
            while queue or in_flight:
                while queue and len(in_flight) < workers and not broken:
                    task = queue.popleft()
                    try:
                        in_flight[pool.submit(run_task, task)] = task
                    except BrokenProcessPool:
                        queue.appendleft(task)
                        broken = True
                if not in_flight:
                    break
                done, _ = wait(in_flight, return_when=ALL_COMPLETED if broken else FIRST_COMPLETED)
                for future in done:
                    task = in_flight.pop(future)
                    row = _outcome(future, task)
                    if row is None:
                        alone.append(task)
                        broken = True
                    else:
                        yield task, row
                if broken and not in_flight:
                    break  # a fresh pool for the rest of the queue
            finished = True
        finally:  # on an interrupt, do not wait for the points in flight
            pool.shutdown(wait=finished, cancel_futures=True)
    for task in alone:
        pool = _pool(1)
        try:
            row = _outcome(pool.submit(run_task, task), task)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        yield task, row or failed_row(task, CRASHED, "the worker process died while running this point "
                                                     "(a crash or the out-of-memory killer)")


def connect(address: str, timeout: float = 20.0):
    """A `dask.distributed.Client` on the scheduler at `address`; SweepError (one line) when unreachable."""
    try:
        from distributed import Client
    except ImportError:
        raise SweepError("--scheduler needs dask distributed: pip install 'distributed>=2024.1'") from None
    try:
        return Client(address, timeout=timeout)
    except (OSError, TimeoutError, ValueError) as e:
        first = (str(e).strip().splitlines() or [type(e).__name__])[0]
        raise SweepError(f"--scheduler: cannot reach the Dask scheduler at '{address}': {first}") from None


def run_dask(tasks: Sequence[Task], client) -> Iterator[tuple[Task, dict]]:
    """Runs `tasks` on the cluster behind `client`; yields (task, row) as each finishes."""
    from distributed import as_completed as dask_completed

    run_id = uuid.uuid4().hex[:6]
    futures = {client.submit(run_task, t, key=f"inrarch-sweep-{run_id}-{t.point.id}", pure=False): t for t in tasks}
    try:
        for future in dask_completed(futures):
            task = futures[future]
            try:
                yield task, future.result()
            except Exception as e:  # KilledWorker, a worker without inrarch_mlir, ...
                status = CRASHED if type(e).__name__ == "KilledWorker" else ERROR
                yield task, failed_row(task, status, f"dask: {type(e).__name__}: {e}")
    finally:
        client.cancel([f for f in futures if not f.done()])
