"""A scale corpus for performance work: realistic Indonesian news articles of any size.

Articles of 300–900 words are assembled from real Indonesian news sentences (the kumparan
sentence set, JSON lines ``{"id", "text"}``), read by path and never copied into this
repository. Each article draws its sentences, in their original order, from one window of
neighbouring sentences of the source file (neighbours tend to share a story), so articles
read like news on one topic rather than a random jumble, yet no two are the same. Sentences
are grouped into paragraphs of 2–5 sentences separated by a blank line; the title is a
sentence of the article shortened to about ten words; each article gets a publisher from a
small list and an ISO date.

The output is a folder of JSONL files (``articles-0000.jsonl``, …; ``--per-file`` articles
each, 1,000 by default, so an incremental update touches realistic file sizes), one article
per line ``{"id", "title", "text", "source", "date"}``: the format ``bnptsearch index`` reads.

Size is set by the number of passages the bnptsearch indexer will make (``--passages``):
articles are generated until :func:`bnptsearch.passages.split_passages` of their bodies
reaches the target, so a build lands within a few per cent of it (check with
``bnptsearch index --corpus OUT --index IDX``). The same ``--seed`` gives the same corpus.

Run from the repository root::

    python benchmarks/scale_corpus.py \\
        --sentences ../shared/eval/kumparan-sentences/sentences.jsonl \\
        --passages 10000 --out /tmp/scale-10k --seed 1
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

# Make ``bnptsearch`` importable when run as a script from a checkout.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bnptsearch.passages import split_passages  # noqa: E402

__all__ = ["SOURCES", "generate", "load_sentences", "write_corpus"]

SOURCES = (
    "kumparan.com",
    "Kompas.com",
    "detikNews",
    "Tempo.co",
    "CNN Indonesia",
    "ANTARA News",
    "Republika.co.id",
    "Liputan6.com",
    "Tribunnews.com",
    "Media Indonesia",
)
MIN_WORDS, MAX_WORDS = 300, 900
# Sentences an article draws from: a window of this many neighbours in the source file.
WINDOW = 250
TITLE_WORDS = 10
FIRST_DATE = dt.date(2018, 1, 1)
DATE_SPAN_DAYS = 7 * 365

_SPACE = re.compile(r"\s+")


def load_sentences(path: str | Path, *, min_words: int = 4) -> list[str]:
    """The usable sentences of a JSONL file of ``{"id", "text"}``, in file order.

    Fragments under ``min_words`` words ("Vice President ..., M.") and sentences without a
    final punctuation mark are dropped: they make poor article text.
    """
    sentences = []
    with open(path, encoding="utf-8") as file:
        for line in file:
            if not line.strip():
                continue
            text = _SPACE.sub(" ", json.loads(line)["text"]).strip()
            if len(text.split()) >= min_words and text[-1] in ".!?\"”'’)":
                sentences.append(text)
    if not sentences:
        raise SystemExit(f"no usable sentences in {path}")
    return sentences


def _title(sentence: str) -> str:
    words = sentence.rstrip(".!?\"”'’) ").split()
    title = " ".join(words[:TITLE_WORDS]).rstrip(",;:")
    return title[:1].upper() + title[1:]


def _article(rng: random.Random, sentences: list[str], number: int) -> dict:
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    anchor = rng.randrange(len(sentences))
    window = [sentences[(anchor + i) % len(sentences)] for i in range(WINDOW)]
    chosen: list[str] = []
    words = 0
    # Walk the window in order, keeping each sentence with a chance that fits the target;
    # wrap around (rarely) if the window runs out before the article is long enough.
    keep = min(1.0, max(0.25, target / 15 / WINDOW * 1.6))
    position = 0
    while words < target:
        sentence = window[position % WINDOW]
        if rng.random() < keep and sentence not in chosen[-3:]:
            chosen.append(sentence)
            words += len(sentence.split())
        position += 1
    paragraphs = []
    cursor = 0
    while cursor < len(chosen):
        size = rng.randint(2, 5)
        paragraphs.append(" ".join(chosen[cursor : cursor + size]))
        cursor += size
    date = FIRST_DATE + dt.timedelta(days=rng.randrange(DATE_SPAN_DAYS))
    return {
        "id": f"scale-{number:07d}",
        "title": _title(rng.choice(chosen[:3])),
        "text": "\n\n".join(paragraphs),
        "source": rng.choice(SOURCES),
        "date": date.isoformat(),
    }


def generate(sentences: list[str], passages: int, *, seed: int = 1, start: int = 0) -> Iterator[tuple[dict, int]]:
    """Articles (with their passage counts) until ``passages`` passages are reached."""
    rng = random.Random(seed)
    made = 0
    number = start
    while made < passages:
        article = _article(rng, sentences, number)
        count = len(split_passages(article["text"]))
        made += count
        number += 1
        yield article, count


def write_corpus(
    sentences: list[str], passages: int, out: str | Path, *, seed: int = 1, per_file: int = 1000
) -> tuple[int, int, int]:
    """Writes the corpus to ``out``; returns (articles, expected passages, files)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("articles-*.jsonl"):
        old.unlink()
    articles = total = files = 0
    file = None
    try:
        for article, count in generate(sentences, passages, seed=seed):
            if articles % per_file == 0:
                if file is not None:
                    file.close()
                file = open(out / f"articles-{files:04d}.jsonl", "w", encoding="utf-8")
                files += 1
            file.write(json.dumps(article, ensure_ascii=False) + "\n")
            articles += 1
            total += count
    finally:
        if file is not None:
            file.close()
    return articles, total, files


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sentences", required=True, help="JSONL of {id, text} news sentences")
    parser.add_argument("--passages", type=int, required=True, help="target number of indexed passages")
    parser.add_argument("--out", required=True, help="output folder (its articles-*.jsonl are replaced)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--per-file", type=int, default=1000, help="articles per JSONL file (default 1000)")
    args = parser.parse_args(argv)
    if args.passages < 1 or args.per_file < 1:
        parser.error("--passages and --per-file must be positive")
    sentences = load_sentences(args.sentences)
    articles, total, files = write_corpus(sentences, args.passages, args.out, seed=args.seed, per_file=args.per_file)
    print(f"{articles} articles, ~{total} passages, {files} files in {args.out} (seed {args.seed})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
