"""The index folder on disk: metadata and versions, the write lock, the live Whoosh index.

Layout of an index folder:

- ``bnptsearch.json`` — format, parser and analyzer versions, and the name of the live
  Whoosh index; replaced atomically, so a rebuild switches over in one step or not at all.
- the Whoosh files of that index (``_<name>_<gen>.toc``, ``<name>_*.seg``).
- ``acronyms.json`` — a cache of the mined acronyms, keyed by index generation.

Every article has one ``kind=article`` document holding its content hash, the file it came
from and that file's hash, committed in the same Whoosh transaction as its passages: the
index never disagrees with itself about what it holds (see :mod:`bnptsearch.update`).

>>> with _write_lock(Path("index"), timeout=10):     # doctest: +SKIP
...     name, ix = _open_live(Path("index"))
"""

from __future__ import annotations

import errno
import json
import os
import re
import secrets
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage
from whoosh.index import FileIndex

from .analysis import ANALYZER_VERSION
from .corpus import PARSER_VERSION
from .errors import IndexLockedError, IndexNotFoundError, IndexOutdatedError, IndexWriteError
from .schema import passage_schema

__all__ = ["DEFAULT_LOCK_TIMEOUT", "FORMAT_VERSION", "META_FILE"]

FORMAT_VERSION = 3
META_FILE = "bnptsearch.json"
ACRONYM_CACHE = "acronyms.json"
_LOCK_NAME = "bnptsearch_WRITELOCK"
DEFAULT_LOCK_TIMEOUT = 10.0
_WHOOSH_FILE = re.compile(r"_?(passages[0-9a-f]{8})_")
_WHOOSH_TEMP = re.compile(r"passages[0-9a-f]{8}\.tmp")


def _versions() -> dict[str, Any]:
    """What an index must have been built with to be read by this code."""
    return {"format": FORMAT_VERSION, "parser": PARSER_VERSION, "analyzer": ANALYZER_VERSION}


def _read_meta(path: Path) -> dict[str, Any] | None:
    """The folder's metadata, or None if it holds no index.

    >>> _read_meta(Path("index"))["indexname"]        # doctest: +SKIP
    'passages1a2b3c4d'
    """
    try:
        return json.loads((path / META_FILE).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise IndexOutdatedError(
            f"index metadata {path / META_FILE} is unreadable ({error}); run `bnptsearch index --rebuild`"
        ) from None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    """Writes ``data`` atomically: readers see the old file or the new one, never half."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)  # a half-written copy on a full disk would keep it full
        raise


def _switch_to(path: Path, indexname: str) -> None:
    """Makes ``indexname`` the live index, in one atomic metadata write."""
    _write_json(path / META_FILE, _versions() | {"indexname": indexname})


def _check_meta(path: Path, meta: dict[str, Any]) -> str:
    """The live index's name, if ``meta`` was written by this version."""
    found = {key: meta.get(key) for key in _versions()}
    if found != _versions() or not isinstance(meta.get("indexname"), str):
        raise IndexOutdatedError(
            f"index at {path} was built by another bnptsearch version ({found}; this version "
            f"needs {_versions()}); run `bnptsearch index --rebuild`"
        )
    return meta["indexname"]


def _remove_other_indexes(path: Path, keep: str) -> None:
    """Deletes the files of every Whoosh index but ``keep``: the one a rebuild replaced, or
    a half-written one left by a rebuild that was killed."""
    for file in path.iterdir():
        match = _WHOOSH_FILE.match(file.name)
        if (match and match.group(1) != keep) or (file.name.startswith(".") and file.name.endswith(".tmp")):
            file.unlink(missing_ok=True)
        elif _WHOOSH_TEMP.fullmatch(file.name) and file.name != f"{keep}.tmp":
            shutil.rmtree(file, ignore_errors=True)  # the temporary folder of that index's writer


def _new_index(path: Path) -> tuple[str, FileIndex]:
    """(name, Whoosh index) of a new, empty index beside the live one (not yet live)."""
    indexname = f"passages{secrets.token_hex(4)}"
    return indexname, whoosh_index.create_in(str(path), passage_schema(), indexname=indexname)


def _open_live(path: Path) -> tuple[str, FileIndex]:
    """(name, Whoosh index) of the index the metadata names now.

    A rebuild in another process may switch the metadata and delete the old files between
    our reading the name and opening it: then the name is read again.
    """
    for _ in range(3):
        indexname = _check_meta(path, _read_meta(path) or {})
        try:
            return indexname, whoosh_index.open_dir(str(path), indexname=indexname)
        except whoosh_index.EmptyIndexError:
            continue
    raise IndexNotFoundError(f"index at {path} keeps changing under us; try again")


@contextmanager
def _write_lock(path: Path, timeout: float) -> Iterator[None]:
    """The index-wide write lock: one writer at a time, waiting at most ``timeout`` seconds.

    It is an OS file lock (``flock``), so the kernel releases it when a writer dies: a
    killed ``bnptsearch index`` leaves no stale lock behind.
    """
    lock = FileStorage(str(path)).lock(_LOCK_NAME)
    deadline = time.monotonic() + timeout
    while not _try_lock(lock, path / _LOCK_NAME):
        if time.monotonic() > deadline:
            raise IndexLockedError(
                f"index at {path} is being written by another process (waited {timeout:g} s); try again later"
            )
        time.sleep(0.1)
    try:
        yield
    finally:
        lock.release()


def _try_lock(lock: Any, file: Path) -> bool:
    """Takes ``lock`` if it is free; a lock file that cannot be opened is a one-line error."""
    try:
        return bool(lock.acquire(blocking=False))
    except IsADirectoryError:
        raise IndexWriteError(
            f"{file} is a directory, not bnptsearch's lock file; remove it (rmdir) and try again"
        ) from None
    except OSError as error:
        raise _write_error(error, file) from None


def _write_error(error: OSError, path: Path) -> IndexWriteError:
    """The one-line error for a write that failed with ``error`` (``path``: where it wrote,
    when the error does not name the file itself).

    >>> _write_error(OSError(errno.ENOSPC, "No space left on device"), Path("index"))
    IndexWriteError('no space left on device while writing index')
    """
    where = error.filename or path
    if error.errno in (errno.ENOSPC, errno.EDQUOT):
        return IndexWriteError(f"no space left on device while writing {where}")
    if error.errno in (errno.EACCES, errno.EPERM):
        return IndexWriteError(f"permission denied: cannot write {where}")
    if error.errno == errno.EROFS:
        return IndexWriteError(f"permission denied: cannot write {where} (read-only file system)")
    return IndexWriteError(f"cannot write {where}: {error.strerror or error}")


@contextmanager
def _writes_to(path: Path) -> Iterator[None]:
    """Turns an ``OSError`` of the writes made inside into an :class:`IndexWriteError`
    naming ``path`` (or the file, when the error names one).

    >>> with _writes_to(Path("index")):                  # doctest: +SKIP
    ...     _switch_to(Path("index"), "passages1a2b3c4d")
    """
    try:
        yield
    except OSError as error:
        raise _write_error(error, path) from None


def _read_acronym_cache(path: Path, key: list[Any]) -> list[list[str]] | None:
    """The cached acronym pairs of index generation ``key``, or None if not cached."""
    try:
        cached = json.loads((path / ACRONYM_CACHE).read_text(encoding="utf-8"))
        return cached["acronyms"] if cached["key"] == key else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_acronym_cache(path: Path, key: list[Any], pairs: list[list[str]]) -> None:
    """Caches ``pairs`` for generation ``key``; a read-only index just goes without."""
    try:
        _write_json(path / ACRONYM_CACHE, {"key": key, "acronyms": pairs})
    except OSError:
        pass  # a read-only index still works; it just recomputes next time
