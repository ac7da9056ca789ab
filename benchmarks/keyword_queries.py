"""Keyword queries for the retrieval benchmark: what an analyst types instead of a question.

The question sets ask full questions ("Siapa yang menjabat sebagai Kepala BNPT pada 2020?");
people at a search box type two to four words ("kepala BNPT 2020"). This script derives such
queries from an evaluation collection and writes them as a collection folder of its own, so
``benchmarks.retrieval`` and ``benchmarks.lucene_reference`` run them unchanged (pass the
folder as ``--tydi``/``--facqa``). The judgments are the collection's own; the derived files are
written outside the repository, like the data they come from.

Two ways to derive a query, both deterministic:

- ``question`` (default): the question's content words (no stopwords, no question words),
  the 2–4 rarest in the pool kept in the order the question has them. What a user who knows
  what they want types; the words are the asker's, not the passage's.
- ``passage``: from the relevant passage, its rarest pair of adjacent content words plus its
  rarest other content word, as someone who remembers a fragment of the article types it. An
  easier set (the words are the passage's own), kept as a check on exact-form matching.

With ``--typos`` every query also gets one everyday typo (:func:`with_typo`: a letter
dropped, doubled, swapped with its neighbour or replaced, never the first) in its longest
word of five letters or more, as analysts mistype "terorsme" or "walkota": the set measures
typo tolerance (``bnptsearch`` corrects a word that matches nothing; ``fuzzy=True``).

::

    python -m benchmarks.keyword_queries --collection ../shared/eval/facqa-news \\
        --padding ../shared/eval/kumparan-sentences/sentences.jsonl --out /tmp/kw/facqa-news
    python -m benchmarks.retrieval --facqa /tmp/kw/facqa-news \\
        --padding ../shared/eval/kumparan-sentences/sentences.jsonl
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from bnptsearch.analysis import search_stopwords

_WORD = re.compile(r"[^\W_]+(?:-[^\W_]+)*")
MIN_WORDS, MAX_WORDS = 2, 4


def read_jsonl(path: Path) -> Iterator[dict]:
    with path.open(encoding="utf-8") as file:
        for line in file:
            if line.strip():
                yield json.loads(line)


def content_words(text: str) -> list[str]:
    """The words of ``text`` that are not stopwords or question words, as written.

    >>> content_words("Siapa yang menjabat sebagai Kepala BNPT?")
    ['menjabat', 'Kepala', 'BNPT']
    """
    stops = search_stopwords()
    return [word for word in _WORD.findall(text) if word.lower() not in stops and len(word) > 1]


def document_frequencies(texts: list[str]) -> Counter[str]:
    """How many of ``texts`` hold each lowercased word."""
    frequencies: Counter[str] = Counter()
    for text in texts:
        frequencies.update({word.lower() for word in _WORD.findall(text)})
    return frequencies


def rarest_in_order(words: list[str], idf: dict[str, float], keep: int) -> list[str]:
    """The ``keep`` rarest distinct ``words``, in the order they came.

    >>> rarest_in_order(["a", "b", "c"], {"a": 1.0, "b": 3.0, "c": 2.0}, 2)
    ['b', 'c']
    """
    distinct = list(dict.fromkeys(words))
    chosen = set(sorted(distinct, key=lambda w: (-idf.get(w.lower(), 0.0), distinct.index(w)))[:keep])
    return [word for word in distinct if word in chosen]


def from_question(question: str, idf: dict[str, float]) -> str | None:
    words = content_words(question)
    if len(words) < MIN_WORDS:
        return None
    return " ".join(rarest_in_order(words, idf, MAX_WORDS))


def from_passage(passage: str, idf: dict[str, float]) -> str | None:
    """The passage's rarest pair of adjacent content words (stopwords between them are
    skipped, as a user leaves them out), plus its rarest other content word.

    >>> from_passage("Polisi menangkap teroris di Tangerang", {"teroris": 3.0, "tangerang": 4.0, "polisi": 1.0})
    'teroris Tangerang Polisi'
    """
    words = content_words(passage)
    if len(words) < MIN_WORDS:
        return None
    pairs = range(len(words) - 1)
    best = max(pairs, key=lambda i: (idf.get(words[i].lower(), 0.0) + idf.get(words[i + 1].lower(), 0.0), -i))
    pair = words[best : best + 2]
    others = [word for word in words if word not in pair]
    return " ".join(pair + rarest_in_order(others, idf, 1))


def with_typo(query: str, rng: random.Random) -> str:
    """``query`` with one typo in its longest word of at least five letters (unchanged if
    it has none): a letter after the first dropped, doubled, swapped or replaced.

    >>> with_typo("penanggulangan terorisme Banten", random.Random(1))
    'pennggulangan terorisme Banten'
    """
    words = query.split(" ")
    longest = max(range(len(words)), key=lambda i: (len(words[i]), -i))
    word = words[longest]
    if len(word) < 5 or not word.isalpha():
        return query
    at = rng.randrange(1, len(word) - 1)
    edit = rng.choice(("drop", "double", "swap", "replace"))
    if edit == "drop":
        word = word[:at] + word[at + 1 :]
    elif edit == "double":
        word = word[: at + 1] + word[at:]
    elif edit == "swap":
        word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
    else:
        word = word[:at] + rng.choice([c for c in "aeiounrstlkmgp" if c != word[at].lower()]) + word[at + 1 :]
    return " ".join([*words[:longest], word, *words[longest + 1 :]])


def derive(collection: Path, padding: Path, out: Path, source: str, typos: bool = False) -> tuple[int, int]:
    """Writes ``out``/{passages.jsonl (a link), queries-dev.jsonl, qrels-dev.tsv}; returns
    (questions, queries derived)."""
    passages = {record["pid"]: record["text"] for record in read_jsonl(collection / "passages.jsonl")}
    pool = list(passages.values()) + [record["text"] for record in read_jsonl(padding)]
    frequencies = document_frequencies(pool)
    idf = {word: math.log(len(pool) / count) for word, count in frequencies.items()}
    relevant: dict[str, str] = {}
    qrel_lines: dict[str, str] = {}
    for line in (collection / "qrels-dev.tsv").read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) == 4 and int(fields[3]) > 0:
            relevant.setdefault(fields[0], fields[2])
            qrel_lines[fields[0]] = qrel_lines.get(fields[0], "") + line + "\n"
    out.mkdir(parents=True, exist_ok=True)
    target = out / "passages.jsonl"
    if not target.exists():
        os.symlink((collection / "passages.jsonl").resolve(), target)
    questions = derived = 0
    with (out / "queries-dev.jsonl").open("w", encoding="utf-8") as queries, (out / "qrels-dev.tsv").open(
        "w", encoding="utf-8"
    ) as qrels:
        for record in read_jsonl(collection / "queries-dev.jsonl"):
            qid = record["qid"]
            if qid not in relevant:
                continue
            questions += 1
            if source == "question":
                query = from_question(record["query"], idf)
            else:
                query = from_passage(passages.get(relevant[qid], ""), idf)
            if query is None:
                continue
            if typos:
                query = with_typo(query, random.Random(qid))
            derived += 1
            queries.write(json.dumps({"qid": qid, "query": query}, ensure_ascii=False) + "\n")
            qrels.write(qrel_lines[qid])
    return questions, derived


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--collection", type=Path, required=True, help="folder with passages.jsonl, queries-dev.jsonl, qrels-dev.tsv"
    )
    parser.add_argument("--padding", type=Path, required=True, help="the padding sentences the pool is made with (for rarity)")
    parser.add_argument("--out", type=Path, required=True, help="folder to write the keyword collection to (outside the repo)")
    parser.add_argument("--source", choices=("question", "passage"), default="question")
    parser.add_argument("--typos", action="store_true", help="put one typo in each query's longest word")
    args = parser.parse_args(argv)
    questions, derived = derive(args.collection, args.padding, args.out, args.source, args.typos)
    print(f"{args.collection.name}: {derived} keyword queries ({args.source}) from {questions} judged questions -> {args.out}")
    for record in list(read_jsonl(args.out / "queries-dev.jsonl"))[:5]:
        print(f"  {record['qid']}: {record['query']}")


if __name__ == "__main__":
    main()
