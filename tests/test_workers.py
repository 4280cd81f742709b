"""The gunicorn worker's large frame-stack chunk (config/workers.py), checked by counting the system calls."""

import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from gunicorn.workers import sync

from config.workers import RESERVED_SLOTS, SyncWorker, in_large_stack_chunk

ROOT = Path(__file__).resolve().parent.parent

#: Calls going up and down at many depths, so that some of them cross the edge of a 16 KiB frame-stack chunk.
OSCILLATE = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {root!r})
    from config.workers import in_large_stack_chunk

    def down(n):
        return down(n - 1) if n else 0

    def oscillate():
        for depth in range(20, 400, 3):
            for _ in range(20):
                down(depth)

    in_large_stack_chunk(oscillate) if sys.argv[1] == "large" else oscillate()
    """
)


def _mmaps(mode: str, tmp_path: Path) -> int:
    """How many times the interpreter called ``mmap`` running the oscillation (``strace -c``)."""
    script = tmp_path / "oscillate.py"
    script.write_text(OSCILLATE.format(root=str(ROOT)))
    summary = tmp_path / f"strace-{mode}.txt"
    subprocess.run(
        ["strace", "-f", "-c", "-e", "trace=mmap", "-o", str(summary), sys.executable, str(script), mode],
        check=True,
        timeout=120,
    )
    (row,) = [line.split() for line in summary.read_text().splitlines() if line.endswith(" mmap")]
    return int(row[3])


def test_the_large_chunk_spares_the_interpreter_its_mmap_per_crossing(tmp_path: Path) -> None:
    assert shutil.which("strace"), "scripts/test.sh installs strace"
    plain, large = _mmaps("plain", tmp_path), _mmaps("large", tmp_path)
    # Python 3.11 maps a chunk every time the calls cross into it again (thousands here); in the large chunk, the
    # few mappings of the interpreter's start remain, as they do for the plain run.
    if sys.version_info < (3, 13):
        assert plain > large + 1_000, (plain, large)
    assert large < plain / 5, (plain, large)


def test_the_call_passes_arguments_results_and_errors_through() -> None:
    assert in_large_stack_chunk(lambda a, b=1: a + b, 2, b=3) == 5
    with pytest.raises(ZeroDivisionError):
        in_large_stack_chunk(lambda: 1 / 0)


def test_the_worker_is_gunicorns_sync_worker_with_its_loop_in_the_chunk(monkeypatch: pytest.MonkeyPatch) -> None:
    callers = []
    monkeypatch.setattr(sync.SyncWorker, "run", lambda self: callers.append(sys._getframe(1).f_code))

    class Probe(SyncWorker):
        def __init__(self) -> None:  # no arbiter, sockets or configuration: only run() is under test
            pass

    Probe().run()
    (caller,) = callers
    assert caller.co_name == "in_large_stack_chunk" and caller.co_stacksize > RESERVED_SLOTS
