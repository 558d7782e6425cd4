"""The one crew of worker processes (edition/workers.py): the diff and the
layout in parts both use it."""

import math
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from edition.workers import Crew, WorkerLost, share_out, start_method

PARENT = os.getpid()


def _square_here_or_die(n: int) -> int:
    """n², but a worker given 2 dies on it."""
    if n == 2 and os.getpid() != PARENT:
        os._exit(1)
    return n * n


def _where(desk: dict, kind: str, key, payload) -> tuple[str, object]:
    """Keeps what it is given on its desk: answers with the process and all
    it holds so far."""
    desk.setdefault("held", []).append(payload)
    return "ok", (os.getpid(), list(desk["held"]))


def test_shares_come_back_in_order_while_this_process_works():
    mine, results = share_out(math.factorial, [5, 10, 3], lambda: "here")
    assert mine == "here"
    assert results == [120, 3628800, 6]
    assert not multiprocessing.active_children()


def test_fresh_workers_are_spawned_and_give_the_same_results():
    assert start_method(fresh=True) == "spawn"
    mine, results = share_out(abs, [-3, 4, -5], lambda: 0, fresh=True)
    assert results == [3, 4, 5]
    assert not multiprocessing.active_children()


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="this platform cannot fork")
def test_work_that_needs_nothing_fresh_is_forked():
    assert start_method(fresh=False) == "fork"


def test_a_share_whose_worker_dies_is_done_here():
    mine, results = share_out(_square_here_or_die, [1, 2, 3], lambda: None)
    assert results == [1, 4, 9]
    assert not multiprocessing.active_children()


def test_an_error_in_a_worker_is_raised_to_the_caller():
    with pytest.raises(ValueError, match="negative"):
        share_out(math.factorial, [3, -1], lambda: None)
    assert not multiprocessing.active_children()


def test_a_worker_keeps_its_desk_between_messages():
    crew = Crew(2, _where, dict)
    try:
        crew.send(0, ("keep", "a", 1))
        first = crew.receive()
        crew.send(0, ("keep", "b", 2))
        second = crew.receive()
    finally:
        crew.close()
    assert first[:3] == (0, "a", "ok") and second[:3] == (0, "b", "ok")
    pid = first[3][0]
    assert pid != os.getpid() and second[3] == (pid, [1, 2])
    assert not crew.workers


def test_no_jobs_is_one_desk_in_this_process():
    crew = Crew(0, _where, dict)
    crew.send(0, ("keep", "a", 1))
    crew.send(0, ("keep", "b", 2))
    assert crew.local == {"held": [1, 2]} and len(crew) == 1
    assert crew.receive() == (0, "a", "ok", (os.getpid(), [1]))
    assert crew.receive() == (0, "b", "ok", (os.getpid(), [1, 2]))


def test_a_worker_that_dies_is_reported_lost():
    crew = Crew(2, _where, dict)
    try:
        os.kill(crew.workers[1][0].pid, signal.SIGKILL)
        crew.workers[1][0].join()
        with pytest.raises(WorkerLost):
            crew.send(1, ("keep", "a", 1))
            crew.receive()
    finally:
        crew.close(at_once=True)
    assert not crew.workers and not multiprocessing.active_children()


def test_a_program_read_from_stdin_does_its_work_itself(tmp_path):
    """A spawned worker imports the main program again, which `python -`
    does not allow: the work is done in the program's own process."""
    program = (
        "import os\n"
        "from edition.workers import share_out, start_method\n"
        "print(start_method(fresh=True))\n"
        "print(share_out(abs, [-1, -2], lambda: os.getpid(), fresh=True)[1])\n"
    )
    repo = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(repo), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-"], input=program, capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n") == ["None", "[1, 2]", ""]


BOTH_WAYS = """
from edition.workers import Crew

def echo(desk, kind, key, payload):
    return "ok", b"x" * len(payload)

if __name__ == "__main__":
    crew = Crew(1, echo)
    big = b"y" * (8 << 20)
    for k in range(3):
        crew.send(0, ("echo", k, big))
    answers = [crew.receive() for _ in range(3)]
    crew.close()
    print(sum(len(result) for _, _, _, result in answers))
"""


def test_large_messages_and_answers_crossing_do_not_block(tmp_path):
    """A part's HTML sent while the worker sends back the PDF of the part
    before: neither may wait for the other (three 8 MB messages to one
    worker, three 8 MB answers)."""
    script = tmp_path / "both_ways.py"
    script.write_text(BOTH_WAYS, "utf-8")
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(3 * (8 << 20))]
