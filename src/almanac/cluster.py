"""PDF rendering on a Dask distributed cluster, when one machine is not enough.

Reads: the jobs handed to it. Writes: each finished PDF into the local cache
(.cache/almanac/pdf/<key>.pdf), exactly where the local process pool writes it.

Used when `extra.almanac.scheduler` or the environment variable
ALMANAC_SCHEDULER names a scheduler (e.g. tcp://10.0.0.5:8786). Workers need
the `almanac` package installed and the project's files (templates, fonts,
images) at the same path as here; the PDF itself travels back as bytes, so
the workers' disks need not be shared. Dask is an optional extra:
`pip install '.[cluster]'`.
"""

from __future__ import annotations

import os
from pathlib import Path

from . import pdf
from .errors import AlmanacError


class ClusterPool:
    """The interface of `pdf.RenderPool`, on a Dask scheduler: submit jobs, iterate results, close."""

    def __init__(self, address: str, root: Path):
        try:
            from distributed import Client
        except ImportError:
            raise AlmanacError(f"PDF scheduler {address!r}: Dask is not installed; expected "
                               f"`pip install '.[cluster]'` in the project's venv.") from None
        try:
            self.client = Client(address, timeout="20s", set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise AlmanacError(f"PDF scheduler {address!r}: cannot connect ({exc}); expected a running "
                               f"Dask scheduler, or unset ALMANAC_SCHEDULER to render on this machine.") from None
        self.address, self.root = address, str(root)
        self._futures: list = []
        self._targets: dict[str, Path] = {}

    def submit(self, jobs: list[pdf.Job], css: str) -> None:
        for job in sorted(jobs, key=lambda j: -j.size):
            future = self.client.submit(pdf.render_remote, job, css, self.root, key=f"almanac-pdf-{job.key}")
            self._targets[future.key] = job.cache_path
            self._futures.append(future)

    def results(self):
        """Yield (name, pages, seconds, error) as each PDF comes back, written into the cache."""
        from distributed import as_completed

        for future in as_completed(self._futures, loop=self.client.loop):
            name, pages, seconds, error, data = future.result()
            if data is not None:
                target = self._targets[future.key]
                # Written aside and renamed: a reader never sees half a PDF.
                partial = target.with_suffix(f".{os.getpid()}.part")
                partial.write_bytes(data)
                partial.replace(target)
            yield name, pages, seconds, error

    def close(self) -> None:
        self.client.close()
        self._futures, self._targets = [], {}


class UnitPool:
    """The interface of `workers.Pool`, on a Dask scheduler: each unit (its pages and its PDFs) is built by a
    Dask worker, and its output comes back as a tar archive, unpacked where the local build would write it."""

    def __init__(self, address: str, root: Path):
        self.pdfs = ClusterPool(address, root)   # the same connection, and the same errors when there is none
        self.client = self.pdfs.client
        self._running: dict = {}

    def run(self, jobs):
        from distributed import as_completed

        from . import workers

        futures = []
        for job in sorted(jobs, key=lambda j: -j.size):
            future = self.client.submit(workers.build_remote, job, key=f"almanac-unit-{job.name}-{os.getpid()}",
                                        pure=False)
            future.job = job
            futures.append(future)
            self._running[future.key] = job.name
        for future in as_completed(futures, loop=self.client.loop):
            job = future.job
            self._running.pop(future.key, None)
            try:
                result, data = future.result()
            except Exception as exc:   # the worker died, or could not import the project
                result, data = workers.Result(job.name, 1, [f"ERROR   -  Unit {job.name} on the Dask cluster: {exc}"]), None
            for line in result.lines:
                yield ("line", job.name, line)
            if data is not None:
                workers.unpack(data, Path(job.site))
            yield ("done", job.name, result)
            if result.status:
                self.client.cancel(futures)
                return

    def running(self) -> list[str]:
        return sorted(self._running.values())

    def stop(self) -> None:
        self.client.close()
