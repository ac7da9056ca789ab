"""What the stemming repairs cost: analyzer throughput and index build speed, Snowball alone
vs bnptsearch's repaired stemmer, measured in the same run on the same text.

Usage (from the repository root)::

    python -m benchmarks.analyzer_speed \\
        --sentences ../shared/eval/kumparan-sentences/sentences.jsonl [--articles 2000] [--repeat 3]

The sentences (third-party, read by path) are grouped ten to an article and written as a
JSONL corpus in a temporary folder. For each stemmer, caches start empty: the analyzer's
first pass over the text is what indexing pays. The analyzer's rate is taken in CPU time of
this process, which a shared machine's other work disturbs far less than wall-clock time;
the index build's rate is wall-clock (what a user waits for). The load average is printed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path

import Stemmer

from bnptsearch import Index, analysis, stemming


def _snowball() -> Callable[[str], str]:
    stemmer = Stemmer.Stemmer("indonesian")
    return lru_cache(maxsize=2**18)(stemmer.stemWord)


def _repaired() -> Callable[[str], str]:
    stemming.stem.cache_clear()
    return stemming.stem


STEMMERS = {"Snowball (PyStemmer) only": _snowball, "bnptsearch repaired": _repaired}


def _write_corpus(sentences: Path, articles: int, folder: Path) -> list[str]:
    texts = []
    with sentences.open(encoding="utf-8") as lines:
        batch: list[str] = []
        for line in lines:
            batch.append(json.loads(line)["text"])
            if len(batch) == 10:
                texts.append(" ".join(batch))
                batch = []
                if len(texts) == articles:
                    break
    with (folder / "corpus.jsonl").open("w", encoding="utf-8") as out:
        for number, text in enumerate(texts):
            out.write(json.dumps({"id": f"a{number}", "title": f"Artikel {number}", "text": text}) + "\n")
    return texts


def _measure(
    make_stem: Callable[[], Callable[[str], str]], texts: list[str], corpus: Path, work: Path, build: bool
) -> tuple[float, float]:
    """(analyzer tokens/s, index passages/s; NaN without ``build``) with the stemmer ``make_stem`` makes."""
    analyzer = analysis.indonesian_analyzer(stemfn=make_stem())
    started = time.process_time()
    tokens = sum(1 for text in texts for _ in analyzer(text))
    analyze_rate = tokens / (time.process_time() - started)
    if not build:
        return analyze_rate, float("nan")
    # Index.build uses the default analyzer, whose stem filter looks up analysis.stem as it
    # runs: swap that for the build (fresh, so its caches start empty again). In this
    # process only (jobs=1): worker processes would import the default one.
    original = analysis.stem
    analysis.stem = make_stem()
    try:
        index, report = Index.build(corpus, work / f"index-{time.monotonic_ns()}", jobs=1)
        index.close()
    finally:
        analysis.stem = original
    return analyze_rate, report.passages / report.seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", type=Path, required=True)
    parser.add_argument("--articles", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--analyzer-only", action="store_true", help="skip the index builds (more repeats fit in the time)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        corpus = work / "corpus"
        corpus.mkdir()
        texts = _write_corpus(args.sentences, args.articles, corpus)
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in STEMMERS}
        for _ in range(args.repeat):
            for name, make in STEMMERS.items():  # interleaved, so drift hits both alike
                runs[name].append(_measure(make, texts, corpus, work, build=not args.analyzer_only))
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"{len(texts)} articles, {args.repeat} runs each (median [min–max]); load average {load}\n")
    print("| stemmer | analyzer tokens/s (CPU time) | index build passages/s |")
    print("| --- | --- | --- |")
    medians = {}
    for name, values in runs.items():
        analyze_rates, build_rates = zip(*values)
        medians[name] = (statistics.median(analyze_rates), statistics.median(build_rates))
        built = "not built" if args.analyzer_only else (
            f"{medians[name][1]:,.0f} [{min(build_rates):,.0f}–{max(build_rates):,.0f}]"
        )
        print(f"| {name} | {medians[name][0]:,.0f} [{min(analyze_rates):,.0f}–{max(analyze_rates):,.0f}] | {built} |")
    base, repaired = medians["Snowball (PyStemmer) only"], medians["bnptsearch repaired"]
    build_ratio = "–" if args.analyzer_only else f"{repaired[1] / base[1]:.2f}"
    print(f"| ratio repaired / Snowball | {repaired[0] / base[0]:.2f} | {build_ratio} |")


if __name__ == "__main__":
    main()
