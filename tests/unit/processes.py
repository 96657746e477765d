"""Several processes released at one instant: kernels or servers writing to one store."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from multiprocessing.synchronize import Barrier
from typing import Literal


def exit_codes_at_once(
    target: Callable[[str, int, Barrier], None],
    where: str,
    count: int,
    *,
    method: Literal["spawn", "fork"] = "spawn",
) -> list[int | None]:
    """Runs ``target(where, n, start)`` in ``count`` processes, which wait on ``start`` to go
    together; their exit codes (all 0 when every one succeeded)."""
    context = multiprocessing.get_context(method)
    start = context.Barrier(count)
    workers = [context.Process(target=target, args=(where, n, start)) for n in range(count)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    return [worker.exitcode for worker in workers]
