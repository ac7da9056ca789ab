"""The web app's UI text, Indonesian and English: the one place it is written.

>>> STRINGS["en"]["search"]
'Search'
>>> sorted(STRINGS["id"]) == sorted(STRINGS["en"])
True
"""

from __future__ import annotations

__all__ = ["LANGUAGES", "STRINGS"]

STRINGS: dict[str, dict[str, str]] = {
    "id": {
        "title": "Pencarian arsip berita",
        "search": "Cari",
        "placeholder": "Kata, frasa, atau pertanyaan",
        "since": "Sejak",
        "until": "Sampai",
        "sort": "Urutan",
        "relevance": "Relevansi",
        "newest": "Terbaru",
        "oldest": "Terlama",
        "group": "Kelompokkan per artikel",
        "sources": "Sumber",
        "timeline": "Artikel menurut waktu",
        "all_sources": "semua sumber",
        "did_you_mean": "Mungkin maksud Anda",
        "also_searched": "Juga dicari",
        "results": "Bagian {first}–{last} dari {total} yang cocok",
        "no_results": "Tidak ada bagian yang cocok dengan pencarian ini.",
        "no_more": "Tidak ada hasil lagi.",
        "previous": "‹ Sebelumnya",
        "next": "Berikutnya ›",
        "export": "Ekspor",
        "article_count": "{articles} artikel, {passages} bagian dalam indeks.",
        "source": "Sumber",
        "date": "Tanggal",
        "place": "Tempat",
        "url": "Tautan asli",
        "id": "ID",
        "back": "‹ Kembali ke hasil",
        "passages": "bagian",
        "error": "Kesalahan",
        "undated": "tanpa tanggal",
        "language": "English",
        "apply": "Terapkan",
        "remove_filter": "hapus saringan",
        "no_source": "(tanpa sumber)",
    },
    "en": {
        "title": "News archive search",
        "search": "Search",
        "placeholder": "Words, a phrase, or a question",
        "since": "Since",
        "until": "Until",
        "sort": "Order",
        "relevance": "Relevance",
        "newest": "Newest",
        "oldest": "Oldest",
        "group": "Group by article",
        "sources": "Sources",
        "timeline": "Articles over time",
        "all_sources": "all sources",
        "did_you_mean": "Did you mean",
        "also_searched": "Also searched",
        "results": "Passages {first}–{last} of {total} matching",
        "no_results": "No passages match this search.",
        "no_more": "No more results.",
        "previous": "‹ Previous",
        "next": "Next ›",
        "export": "Export",
        "article_count": "{articles} articles, {passages} passages in the index.",
        "source": "Source",
        "date": "Date",
        "place": "Place",
        "url": "Original link",
        "id": "ID",
        "back": "‹ Back to the results",
        "passages": "passages",
        "error": "Error",
        "undated": "undated",
        "language": "Bahasa Indonesia",
        "apply": "Apply",
        "remove_filter": "remove filter",
        "no_source": "(no source)",
    },
}
LANGUAGES = tuple(STRINGS)
