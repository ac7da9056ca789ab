"""A fuzz campaign over the query language: how many generated queries crash, hang or grow.

Runs ``--examples`` queries from the hypothesis strategy of the test suite
(``tests/test_fuzz.py``: operators, fields, ranges, fuzzy words, proximity, wildcards,
unbalanced brackets, control characters, bytes that are not UTF-8) with random search
options against an index, and counts the outcomes: results, QueryError (a one-line
refusal), and anything else (a traceback), by exception type with the first query of each.
A query running past ``--stop-after`` seconds is stopped with SIGALRM and counted as a hang.
Ctrl-C (or SIGTERM) ends the campaign early and prints the counts so far.
Prints the slowest query, the peak resident memory of the process, and the load average.

Run from the repository root (seed index built in a temporary folder when --index is not given)::

    python -m benchmarks.fuzz_queries --examples 20000
    python -m benchmarks.fuzz_queries --examples 2000 --index /tmp/idx-20k --stop-after 30

To measure another checkout of bnptsearch with the same strategy, run the script by path
from elsewhere with that checkout first on PYTHONPATH (the repository root is appended to
``sys.path``, not prepended, for this).
"""

from __future__ import annotations

import argparse
import os
import resource
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.append(str(REPO))

from hypothesis import HealthCheck, given, settings  # noqa: E402

from bnptsearch import Index, QueryError  # noqa: E402
from tests.test_fuzz import query_syntax, search_options  # noqa: E402


class _Hang(Exception):
    pass


def _alarm(signum: int, frame: object) -> None:
    raise _Hang


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=2000)
    parser.add_argument("--index", type=Path, help="index folder (default: the seed corpus, built in a temporary folder)")
    parser.add_argument("--stop-after", type=int, default=20, help="seconds before a query counts as a hang")
    args = parser.parse_args()

    if args.index is None:
        index, _ = Index.build(REPO / "corpus", Path(tempfile.mkdtemp()) / "index")
    else:
        index = Index.open(args.index)
    index.search("teroris")  # warm: searcher and acronym table
    outcomes: Counter[str] = Counter()
    first: dict[str, str] = {}
    slowest = (0.0, "")
    signal.signal(signal.SIGALRM, _alarm)
    # A campaign started in the background ignores SIGINT: SIGTERM ends it with counts too.
    signal.signal(signal.SIGTERM, _stop)

    @given(query_syntax, search_options)
    @settings(
        max_examples=args.examples,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def run(query: str, options: dict) -> None:
        nonlocal slowest
        started = time.perf_counter()
        # Repeated every second after the first: an alarm that lands in hypothesis's own
        # callbacks (its gc hook) is swallowed there, and the next one must still stop the query.
        signal.setitimer(signal.ITIMER_REAL, args.stop_after, 1.0)
        try:
            index.search(query, **options)
            outcome = "results"
        except QueryError:
            outcome = "QueryError"
        except _Hang:
            outcome = f"hang (> {args.stop_after} s)"
        except Exception as error:  # noqa: BLE001 - counting exactly these
            outcome = f"traceback: {type(error).__name__}"
        finally:
            signal.setitimer(signal.ITIMER_REAL, 0)
        seconds = time.perf_counter() - started
        slowest = max(slowest, (seconds, repr(query)))
        outcomes[outcome] += 1
        first.setdefault(outcome, f"{query!r} {options}")

    started = time.perf_counter()
    try:
        run()
    except KeyboardInterrupt:
        print("interrupted: the counts are of the queries run so far")
    total = sum(outcomes.values())
    crashes = sum(count for outcome, count in outcomes.items() if not outcome.startswith(("results", "QueryError")))
    print(f"bnptsearch from {Path(sys.modules['bnptsearch'].__file__).parent}")
    print(f"{total} queries in {time.perf_counter() - started:.0f} s; {crashes} tracebacks or hangs")
    for outcome, count in outcomes.most_common():
        print(f"  {count:6d}  {outcome:32s} first: {first[outcome][:110]}")
    print(f"slowest query: {slowest[0]:.2f} s {slowest[1][:100]}")
    print(f"peak RSS of the process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    print("load average: " + " ".join(f"{load:.2f}" for load in os.getloadavg()))


if __name__ == "__main__":
    main()
