"""Writing an update's new articles in worker processes, each into a segment of its own.

The process that updates the index keeps the plan (reading files, id claims, hashes,
deletions, where batches end: :mod:`bnptsearch.update`) and sends the articles to write,
a few at a time, on one queue that the workers share, so the less busy one takes the next.
At the end of a batch each worker writes out its segment (sorting and writing its postings,
the larger part of the work) and hands it back (:func:`~bnptsearch.whoosh_compat.finish_segment`);
the parent commits them with its own writer, in the batch's one crash-safe commit. The
articles and documents each worker wrote are counted against those sent: a difference is an
error, never a silent loss.

Workers are started with the ``spawn`` context (no fork of a process holding an open index
and threads), ignore Ctrl-C (the parent handles it and stops them) and exit by themselves
if the parent dies. Their segment files are uncommitted until the parent's commit: a
stopped or killed update leaves the last committed generation, and the files are removed
by :func:`~bnptsearch.whoosh_compat.remove_uncommitted` (as those of a failed batch are).

>>> workers = SegmentWorkers("index", "passages1a2b3c4d", jobs=2, options={"limitmb": 512})   # doctest: +SKIP
>>> workers.send(addition)                             # doctest: +SKIP
>>> writer.add_segments(workers.finish())              # doctest: +SKIP
>>> writer.commit()                                    # doctest: +SKIP
>>> workers.close()                                    # doctest: +SKIP
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import signal
import sys
import time
import types
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Any

from .errors import BnptSearchError
from .update import _Addition, _write
from .whoosh_compat import SegmentWriter, finish_segment, worker_writer

__all__ = ["SegmentWorkers", "default_jobs"]

# Articles sent per message: one message per article cost more in pickling and queue
# round trips than the smaller articles' writing; a long article (a PDF report) ends a
# chunk early, so a chunk holds at most about this many characters.
_CHUNK_ARTICLES = 16
_CHUNK_CHARS = 1 << 20
# Seconds between checks that the other side is still alive while waiting on a queue.
_POLL_SECONDS = 0.5
# Seconds a stopping worker gets to exit before it is terminated, then killed.
_STOP_SECONDS = 5.0
# At most this many workers by default: each sorts up to its limitmb of postings in memory.
_MAX_DEFAULT_JOBS = 4

# Messages on the task queue besides chunks of articles: each worker takes one of each
# (after a _FINISH it waits on its own resume queue, so it cannot take another's).
_FINISH = "finish"
_STOP = "stop"


def default_jobs() -> int:
    """The worker processes an update uses by default: the CPUs this process may run on,
    at most :data:`_MAX_DEFAULT_JOBS`.

    >>> 1 <= default_jobs() <= 4
    True
    """
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, _MAX_DEFAULT_JOBS))


@dataclass(frozen=True)
class _Done:
    """What a worker reports at the end of a batch: its segment (None if it got no article),
    the articles it received, the documents and passages it wrote, its CPU seconds."""

    worker: int
    segment: Any
    articles: int
    passages: int
    cpu: float


@dataclass(frozen=True)
class _Failed:
    """A worker's error: the exception itself if it is one the caller maps to a message of
    its own (a full disk: an ``OSError``) and can be pickled, else its text."""

    worker: int
    error: BaseException | None
    text: str

    def raise_it(self) -> None:
        raise self.error if self.error is not None else BnptSearchError(self.text)


class SegmentWorkers:
    """``jobs`` worker processes writing segments of the index ``indexname`` in ``folder``
    with writer ``options`` (see :func:`~bnptsearch.whoosh_compat.worker_writer`).

    Use :meth:`send` for each article of a batch, :meth:`finish` at its end (its segments
    go to the writer that commits), :meth:`close` when done, or :meth:`stop` on an error
    (it terminates them).

    >>> workers = SegmentWorkers("index", "passages1a2b3c4d", 2, {})   # doctest: +SKIP
    >>> workers.send(addition)                             # doctest: +SKIP
    >>> writer.add_segments(workers.finish()); writer.commit(); workers.close()   # doctest: +SKIP
    """

    def __init__(self, folder: str, indexname: str, jobs: int, options: Mapping[str, Any]) -> None:
        context = multiprocessing.get_context("spawn")
        # Bounded: the parent reads faster than the workers write, and must not hold the
        # whole corpus in the queue.
        self._tasks: Any = context.Queue(maxsize=2 * jobs)
        self._results: Any = context.Queue()
        self._resume: list[Any] = [context.Queue() for _ in range(jobs)]
        self._processes: list[Any] = []
        self._chunk: list[_Addition] = []
        self._chars = 0
        self._sent = 0  # articles sent in this batch
        # The workers' CPU seconds and the passages they wrote, over the batches finished.
        self.cpu = 0.0
        self.passages = 0
        try:
            for number in range(jobs):
                process = context.Process(
                    target=_work,
                    args=(number, folder, indexname, dict(options), self._tasks, self._resume[number], self._results),
                    name=f"bnptsearch-writer-{number}",
                    daemon=True,
                )
                with _starting():
                    process.start()
                self._processes.append(process)
        except BaseException:
            self.stop()
            raise

    @property
    def jobs(self) -> int:
        return len(self._processes)

    def send(self, addition: _Addition) -> None:
        """Sends ``addition`` to be written by one of the workers, as a new article: if it
        replaces an indexed one, the committing writer deletes the old version."""
        self._chunk.append(addition)
        self._chars += len(addition.article.body)
        self._sent += 1
        if len(self._chunk) >= _CHUNK_ARTICLES or self._chars >= _CHUNK_CHARS:
            self._flush()

    def finish(self) -> Iterator[Any]:
        """Ends the batch: every worker starts writing out its segment now; returns their
        segments, waited for as they are iterated. Give it to the committing writer's
        ``add_segments``: the commit takes them once the merge policy has run (this process
        merges while the workers write). Raises, as it is iterated, if a worker failed or
        stopped, or wrote other than what it was sent."""
        self._flush()
        for _ in self._processes:
            self._put(_FINISH)
        return self._segments()

    def _segments(self) -> Iterator[Any]:
        reports: list[_Done] = []
        while len(reports) < self.jobs:
            report = self._get()
            if isinstance(report, _Failed):
                report.raise_it()
            else:
                reports.append(report)
        received = sum(report.articles for report in reports)
        for report in reports:
            # An article is one document plus one per passage.
            written = report.segment.doc_count_all() if report.segment is not None else 0
            if written != report.articles + report.passages:
                raise BnptSearchError(
                    f"index writer process {report.worker} wrote {written} documents for "
                    f"{report.articles} articles and {report.passages} passages; nothing of this batch was committed"
                )
        if received != self._sent:
            raise BnptSearchError(
                f"index writer processes received {received} of {self._sent} articles; nothing of this batch was committed"
            )
        self.cpu += sum(report.cpu for report in reports)
        self.passages += sum(report.passages for report in reports)
        self._sent = 0
        for resume in self._resume:
            resume.put(True)
        yield from (report.segment for report in reports if report.segment is not None)

    def close(self) -> None:
        """Lets the workers exit (after the last :meth:`finish`) and waits for them."""
        for _ in self._processes:
            self._put(_STOP)
        self._join()

    def stop(self) -> None:
        """Terminates the workers, whatever they are doing (an error, Ctrl-C): what they
        wrote is not committed, and is removed with the batch's other files."""
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        self._join()

    def _join(self) -> None:
        deadline = time.monotonic() + _STOP_SECONDS
        for process in self._processes:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                process.kill()
                process.join(_STOP_SECONDS)
        for channel in (self._tasks, self._results, *self._resume):
            if channel is None:  # joined before (stop after close)
                continue
            channel.close()
            # Nothing more will be read: do not wait for unread messages to be flushed.
            channel.cancel_join_thread()
        # The queues' semaphores are unlinked (and unregistered from multiprocessing's
        # resource tracker) by finalizers when the queues are freed. Freed by the garbage
        # collector at some later allocation, one could run inside a call into the tracker
        # (CPython gh-109629: the unregistering is then refused) and a script's exit
        # warned of a "leaked semaphore". Freed here, they run now.
        self._processes, self._resume = [], []
        self._tasks = self._results = None
        gc.collect()

    def _flush(self) -> None:
        if self._chunk:
            self._put(self._chunk)
            self._chunk, self._chars = [], 0

    def _put(self, item: Any) -> None:
        while True:
            try:
                self._tasks.put(item, timeout=_POLL_SECONDS)
                return
            except queue.Full:
                self._check_alive()

    def _get(self) -> _Done | _Failed:
        while True:
            try:
                return self._results.get(timeout=_POLL_SECONDS)  # type: ignore[no-any-return]
            except queue.Empty:
                self._check_alive()

    def _check_alive(self) -> None:
        for number, process in enumerate(self._processes):
            if not process.is_alive():
                # It may have reported an error just before exiting: that says more.
                try:
                    report = self._results.get(timeout=_POLL_SECONDS)
                except queue.Empty:
                    report = None
                if isinstance(report, _Failed):
                    report.raise_it()
                raise BnptSearchError(
                    f"index writer process {number} stopped (exit code {process.exitcode}); "
                    "nothing of this batch was committed: run the update again to finish it"
                )


@contextmanager
def _starting() -> Iterator[None]:
    """While a worker is started (a new interpreter, ``spawn``):

    - Ctrl-C is ignored, so that the worker inherits that (an ignored signal stays ignored
      across ``exec``): a Ctrl-C while it imports bnptsearch would print its traceback. The
      parent, not the worker, handles Ctrl-C. (Only the main thread can change it.)
    - the caller's ``__main__`` is hidden: ``spawn`` runs the caller's script again in each
      new process before the worker's function (to find what it defines), and a script that
      calls ``Index.build`` without an ``if __name__ == "__main__":`` guard would start a
      build in each worker. Workers need nothing of it: they are shown an empty one.
    """
    main = sys.modules["__main__"]
    sys.modules["__main__"] = types.ModuleType("__main__")
    try:
        interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)
    except ValueError:  # not the main thread
        interrupt = None
    try:
        yield
    finally:
        sys.modules["__main__"] = main
        if interrupt is not None:
            signal.signal(signal.SIGINT, interrupt)


def _work(number: int, folder: str, indexname: str, options: dict[str, Any], tasks: Any, resume: Any, results: Any) -> None:
    """A worker's loop: writes the articles it takes from ``tasks`` into a new segment; on
    ``_FINISH`` reports the segment and waits on ``resume`` for the next batch; exits on
    ``_STOP`` (or when the parent is gone)."""
    # Ctrl-C reaches the whole process group: the parent stops the workers itself. (Ignored
    # from the start when the parent started it from its main thread, see _starting.)
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    writer: SegmentWriter | None = None
    articles = passages = 0
    started = time.process_time()
    try:
        while True:
            item = _next(tasks, parent)
            if item is None or item == _STOP:
                return  # or the parent is gone: it commits nothing of this batch
            if item == _FINISH:
                segment = finish_segment(writer) if writer is not None else None
                results.put(_Done(number, segment, articles, passages, time.process_time() - started))
                writer, articles, passages = None, 0, 0
                if not _next(resume, parent):
                    return
                started = time.process_time()
                continue
            if writer is None:
                writer = worker_writer(folder, indexname, **options)
            articles += len(item)
            passages += _write(writer, [replace(addition, replaces=False) for addition in item])
    except BaseException as error:  # noqa: BLE001 - every error goes to the parent, as one message
        mapped = isinstance(error, OSError | BnptSearchError) and _picklable(error)
        text = f"index writer process {number} failed: {type(error).__name__}: {error}"
        results.put(_Failed(number, error if mapped else None, text))


def _next(channel: Any, parent: Any) -> Any:
    """The next message on ``channel``; None once the parent process has exited (checked
    before each message too: a killed parent's queue may still hold articles)."""
    while parent is None or parent.is_alive():
        try:
            return channel.get(timeout=_POLL_SECONDS)
        except queue.Empty:
            pass
    return None


def _picklable(error: BaseException) -> bool:
    try:
        pickle.loads(pickle.dumps(error))
    except Exception:  # noqa: BLE001 - any failure means: send its text instead
        return False
    return True
