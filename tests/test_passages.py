"""Passage splitting: sizes, offsets, sentence boundaries."""

from __future__ import annotations

from itertools import pairwise

from bnptsearch.corpus import load_corpus
from bnptsearch.passages import MAX_WORDS, split_passages

from .conftest import SEED_CORPUS


def test_offsets_reproduce_the_text() -> None:
    for article in load_corpus(SEED_CORPUS).articles:
        passages = split_passages(article.body)
        assert passages, article.doc_id
        for passage in passages:
            assert article.body[passage.start : passage.end] == passage.text
        assert [p.number for p in passages] == list(range(len(passages)))


def test_seed_passages_are_near_the_target_size() -> None:
    sizes = [
        len(p.text.split()) for a in load_corpus(SEED_CORPUS).articles for p in split_passages(a.body)
    ]
    assert max(sizes) <= 2 * MAX_WORDS
    assert sum(20 <= s <= MAX_WORDS + 40 for s in sizes) >= 0.8 * len(sizes)


def test_long_paragraph_is_cut_at_sentences_not_abbreviations() -> None:
    sentence = "Kata " * 30 + "berakhir di sini."
    body = " ".join([sentence] * 6) + " Kata Komjen. Pol. Dr. Boy Rafli Amar hari ini."
    passages = split_passages(body)
    assert len(passages) > 1
    assert all(p.text.endswith(".") for p in passages)
    assert any("Komjen. Pol. Dr. Boy Rafli" in p.text for p in passages)


def test_short_paragraphs_are_merged() -> None:
    body = "\n\n".join(f"Paragraf pendek nomor {i}." for i in range(10))
    passages = split_passages(body)
    assert len(passages) < 10
    assert "".join(p.text for p in passages).count("Paragraf") == 10


def test_a_passage_cut_after_a_quoted_sentence_keeps_its_closing_quote() -> None:
    sentence = "Kata " * 30 + "berakhir di sini."
    body = " ".join([sentence] * 3) + " “" + "Kami " * 30 + "siap.” " + " ".join([sentence] * 3)
    passages = split_passages(body)
    assert any(p.text.endswith("siap.”") for p in passages)
    # Nothing of the body is lost between passages but the spaces the cuts fall on.
    assert (passages[0].start, passages[-1].end) == (0, len(body))
    assert all(not body[a.end : b.start].strip() for a, b in pairwise(passages))


def test_corpus_abbreviations_do_not_cut_a_passage_either() -> None:
    sentence = "Kata " * 30 + "berakhir di sini."
    # Each half is long enough to be a passage of its own if the stop after "Kab" ended a sentence.
    regency = "Dilantik " + "kata " * 45 + "di Kab. Bogor oleh dr. Ani " + "kata " * 45 + "hari ini."
    body = " ".join([sentence] * 3) + " " + regency + " " + " ".join([sentence] * 3)
    assert any(regency in p.text for p in split_passages(body))
