"""Worker processes: the one crew that every job shared among processes
uses (the diff of many segment pairs, the layout of a volume in parts).

A crew is started, given messages, asked for the answers and stopped here,
and here alone it is decided how its workers start. Each worker keeps a
desk (whatever state its job needs between messages: laid-out pages held
until their folios are known) and answers one message at a time. A worker
that dies or cannot start is reported as WorkerLost, so that the caller can
do the rest of the work in its own process."""

from __future__ import annotations

import multiprocessing
import os
import queue
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

# A desk and a message (kind, key, payload) → (status, result): "ok" and
# the result, or a status of the caller's own (an error it reports).
Answer = Callable[[Any, str, Any, Any], tuple[str, Any]]

P = TypeVar("P")
R = TypeVar("R")
T = TypeVar("T")


class WorkerLost(Exception):
    """A worker process died or could not start."""


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity (what taskset,
    cgroups' cpusets and containers allow), not the machine's count."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def start_method(fresh: bool) -> str | None:
    """How workers start, chosen here only. A forked worker starts at once
    with everything this process has imported, but also inherits the state
    of the libraries it has loaded, and WeasyPrint's (Pango, fontconfig,
    cairo) does not survive a fork: work that needs a `fresh` interpreter is
    given spawned workers, which import what they need again. Others are
    forked where the platform can fork. None: no worker can start (a
    program read from stdin cannot be spawned again, for a spawned worker
    imports the main program)."""
    if not fresh and "fork" in multiprocessing.get_all_start_methods():
        return "fork"
    main = getattr(sys.modules.get("__main__"), "__file__", None)
    return "spawn" if main is None or Path(main).is_file() else None


class Crew:
    """`jobs` worker processes, each with a desk made by `desk()` in the
    worker and answering messages with `answer`; or, with no jobs or when
    no worker can start, one desk in this process, which answers at once.
    `send` gives a worker a message, `receive` waits for the next answer of
    any worker: (worker, key, status, result)."""

    def __init__(self, jobs: int, answer: Answer, desk: Callable[[], Any] = object, *, fresh: bool = False) -> None:
        self.answer = answer
        self.local: Any = None
        self.answers: list[tuple[int, Any, str, Any]] = []
        self.workers: list = []
        self.posts: list[_Post] = []
        method = start_method(fresh) if jobs > 0 else None
        if method is None:
            self.local = desk()
            return
        context = multiprocessing.get_context("fork") if method == "fork" else multiprocessing.get_context("spawn")
        for _ in range(jobs):
            mine, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, answer, desk), daemon=True)
            process.start()
            theirs.close()
            self.workers.append((process, mine))
        self.posts = [_Post(connection) for _, connection in self.workers]

    def __len__(self) -> int:
        return len(self.workers) or 1

    def send(self, worker: int, message: tuple[str, Any, Any]) -> None:
        """Give `worker` a message: (kind, key, payload)."""
        if not self.workers:
            kind, key, payload = message
            self.answers.append((worker, key, *_answered(self.answer, self.local, kind, key, payload)))
            return
        self.posts[worker].send(message)

    def receive(self) -> tuple[int, Any, str, Any]:
        """The next answer of any worker: (worker, key, status, result)."""
        if self.answers:
            return self.answers.pop(0)
        from multiprocessing.connection import wait

        connections = [connection for _, connection in self.workers]
        ready = wait(connections)
        worker = connections.index(ready[0])
        try:
            key, status, result = connections[worker].recv()
        except (EOFError, OSError):
            raise WorkerLost from None
        return worker, key, status, result

    def close(self, at_once: bool = False) -> None:
        """Stop the workers: when they have finished what they were given,
        or `at_once` (the work failed or was interrupted)."""
        for post in self.posts:
            post.close(at_once)
        for _process, connection in self.workers:
            connection.close()
        for process, _ in self.workers:
            process.join(timeout=0 if at_once else 10)
            if process.is_alive():
                process.kill()
                process.join()
        self.workers = []
        self.posts = []


class _Post:
    """What this process sends one worker, sent by a thread of its own, in
    order. A message and an answer each may be megabytes (a part's HTML, its
    PDF): sent from the thread that also reads the answers, a message to a
    worker that is itself sending an answer nobody reads would wait for
    ever, and so would the worker."""

    def __init__(self, connection) -> None:
        self.connection = connection
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self.lost = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def send(self, message: tuple[str, Any, Any]) -> None:
        if self.lost:
            raise WorkerLost
        self.queue.put(message)

    def _run(self) -> None:
        while (message := self.queue.get()) is not None:
            try:
                self.connection.send(message)
            except (OSError, EOFError, ValueError):
                self.lost = True  # the worker is gone: its reader sees it
                return

    def close(self, at_once: bool) -> None:
        """Tell the worker to stop once what was posted is sent (or at once:
        the worker is killed if it does not stop)."""
        self.queue.put(("stop", None, None))
        self.queue.put(None)
        self.thread.join(timeout=0.1 if at_once else 10)


def _serve(connection, answer: Answer, desk: Callable[[], Any]) -> None:
    """A worker process: answer what it is sent, one message at a time,
    until told to stop."""
    import signal

    # Ctrl-C is the caller's to handle: it stops the workers
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    table = desk()
    while True:
        try:
            kind, key, payload = connection.recv()
        except (EOFError, OSError):
            return
        if kind == "stop":
            return
        connection.send((key, *_answered(answer, table, kind, key, payload)))


def _answered(answer: Answer, desk: Any, kind: str, key: Any, payload: Any) -> tuple[str, Any]:
    """The answer, or ("raised", the exception) for the caller to raise."""
    try:
        return answer(desk, kind, key, payload)
    except Exception as exc:  # noqa: BLE001 - raised again by the caller
        return "raised", exc


def share_out(work: Callable[[P], R], payloads: Sequence[P], meanwhile: Callable[[], T], *, fresh: bool = False) -> tuple[T, list[R]]:
    """`work` on each payload, one worker each, while this process does
    `meanwhile`: what `meanwhile` gave and the results in order. The
    payloads of a lost worker (and those not yet back) are worked here: the
    results are the same however the work went. `work` must be a function
    of a module, or a partial of one, to reach the workers."""
    results: dict[int, R] = {}
    crew = Crew(len(payloads), _work, fresh=fresh)
    try:
        sent = 0
        try:
            for k, payload in enumerate(payloads):
                crew.send(k, ("work", k, (work, payload)))
                sent += 1
        except WorkerLost:
            pass
        mine = meanwhile()
        try:
            while len(results) < sent:
                _, k, status, result = crew.receive()
                if status == "raised":
                    raise result
                results[k] = result
        except WorkerLost:
            pass
    except BaseException:
        crew.close(at_once=True)
        raise
    crew.close(at_once=len(results) < len(payloads))
    return mine, [results[k] if k in results else work(p) for k, p in enumerate(payloads)]


def _work(desk: object, kind: str, key: Any, payload: tuple[Callable[[Any], Any], Any]) -> tuple[str, Any]:
    work, item = payload
    return "ok", work(item)
