"""Adding one article to a large index, this checkout against another (issue 17).

Usage (from the repository root; the index built in place from the corpus, not copied: a
copied index fails its checksums' file stamps and every process reads all its bytes)::

    git worktree add /tmp/baseline main        # or any checkout of the code to compare with
    python -m benchmarks.add_one --index INDEX --corpus CORPUS \\
        --sentences ../shared/eval/kumparan-sentences/sentences.jsonl --baseline-src /tmp/baseline

Each run, in a new process per code version (the two alternating, so load moves both):
``Index.update`` with nothing changed, then with one new file in the corpus; ``Index.add``
of one file outside the corpus; ``Index.remove`` of its article; ``Index.add`` of another;
then ``bnptsearch add FILE --no-copy``, ``bnptsearch remove ID`` and ``bnptsearch index``
(nothing changed, then one new file in the corpus) as new processes (wall time, start-up
included). Every change is undone, so the index ends as it began. Prints medians (ranges)
and this checkout's ratio to the baseline, with the load average.

To measure on a copy of an index built elsewhere (the paths it records are the original
corpus's), run it where the copied corpus is seen at the original path, e.g. in a private
mount namespace: ``unshare -rm sh -c 'mount --bind COPY ORIGINAL && python -m
benchmarks.add_one --corpus ORIGINAL …'`` (the original files are not touched).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks import scale_corpus

REPOSITORY = Path(__file__).resolve().parent.parent

# Run in the child process, in the code version under test (PYTHONPATH).
_CHILD = """
import json, shutil, sys, time
from pathlib import Path
from bnptsearch import Index
index, corpus, article, outside, other = sys.argv[1:6]
def article_id(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))["id"]
out = {}
ix = Index.open(index)
def timed(name, call):
    started = time.perf_counter()
    report = call()
    out[name] = time.perf_counter() - started
    return report
assert not timed("update, nothing changed", lambda: ix.update(corpus)).changed
target = Path(corpus) / Path(article).name
shutil.copyfile(article, target)
assert timed("update, one new file", lambda: ix.update(corpus)).added == 1
assert timed("Index.add of one file", lambda: ix.add([outside])).added == 1
assert timed("Index.remove of one article", lambda: ix.remove([article_id(outside)])).deleted == 1
assert timed("Index.add, another file", lambda: ix.add([other])).added == 1
assert ix.remove([article_id(other)]).deleted == 1
target.unlink()
assert ix.update(corpus).deleted == 1
ix.close()
print(json.dumps(out))
"""


def _measure(src: Path, index: Path, corpus: Path, files: list[Path]) -> dict[str, float]:
    env = dict(os.environ, PYTHONPATH=str(src))
    run = [sys.executable, "-c", _CHILD, str(index), str(corpus), *map(str, files[:3])]
    result = subprocess.run(run, env=env, cwd=src, stdout=subprocess.PIPE, text=True, check=True)
    times = json.loads(result.stdout.strip().splitlines()[-1])

    def cli(*args: str) -> float:
        started = time.perf_counter()
        command = [sys.executable, "-m", "bnptsearch", *args, "--index", str(index)]
        subprocess.run(command, env=env, cwd=src, stdout=subprocess.DEVNULL, check=True)
        return time.perf_counter() - started

    doc_id = json.loads(files[3].read_text(encoding="utf-8"))["id"]
    times["`bnptsearch add FILE --no-copy` (new process)"] = cli("add", str(files[3]), "--no-copy")
    times["`bnptsearch remove ID` (new process)"] = cli("remove", doc_id)
    times["`bnptsearch index`, nothing changed (new process)"] = cli("index", "--corpus", str(corpus))
    dropped = corpus / files[4].name
    shutil.copyfile(files[4], dropped)
    times["`bnptsearch index`, one new file (new process)"] = cli("index", "--corpus", str(corpus))
    dropped.unlink()
    cli("index", "--corpus", str(corpus))  # the file's article deleted again
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--corpus", type=Path, required=True, help="the folder the index was built from")
    parser.add_argument("--sentences", required=True, help="kumparan sentences JSONL (the new articles' text)")
    parser.add_argument("--baseline-src", type=Path, required=True, help="a checkout of the code to compare with")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sentences = scale_corpus.load_sentences(args.sentences)
    work = Path(tempfile.mkdtemp(prefix="add-one-"))
    results: dict[str, dict[str, list[float]]] = {"baseline": {}, "this": {}}
    load = [os.getloadavg()[0]]
    try:
        for run in range(args.runs):
            for version, src in (("baseline", args.baseline_src.resolve()), ("this", REPOSITORY)):
                files = []
                for number in range(5):
                    seed = 30_000 + run * 10 + number
                    article, _ = next(scale_corpus.generate(sentences, 1, seed=seed, start=7_000_000 + seed))
                    article["id"] = f"{article['id']}-{version}"
                    path = work / f"zz-add-one-{version}-{run}-{number}.jsonl"
                    path.write_text(json.dumps(article, ensure_ascii=False) + "\n", encoding="utf-8")
                    files.append(path)
                for name, seconds in _measure(src, args.index.resolve(), args.corpus.resolve(), files).items():
                    results[version].setdefault(name, []).append(seconds)
                load.append(os.getloadavg()[0])
    finally:
        shutil.rmtree(work)
    print(f"load average {min(load):.2f}–{max(load):.2f}; {args.runs} runs each, medians (range), seconds\n")
    print("| | baseline | this | ratio |\n|---|---|---|---|")
    for name, base in results["baseline"].items():
        this = results["this"][name]
        cells = [f"{statistics.median(v):.3f} ({min(v):.3f}–{max(v):.3f})" for v in (base, this)]
        print(f"| {name} | {cells[0]} | {cells[1]} | ×{statistics.median(this) / statistics.median(base):.2f} |")


if __name__ == "__main__":
    main()
