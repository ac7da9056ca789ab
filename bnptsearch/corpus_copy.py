"""Copying a file into the corpus folder: atomic, never through a symlink, never outside it.

:func:`copy_into` writes the bytes to a hidden temporary file created in the corpus folder
itself (``O_EXCL | O_NOFOLLOW``, so it is a new file, not something a link points to), then
puts it in place in one step: :func:`os.link` for a new name (it fails rather than replace
anything already there, even a dangling symlink) or :func:`os.replace` when replacing (which
replaces a symlink itself, never the file it points to). A copy that fails (disk full,
permissions) leaves nothing behind: no truncated article for the next ``index`` to find.

>>> copy_into("~/unduhan/berita.txt", "corpus")                  # doctest: +SKIP
PosixPath('corpus/berita.txt')
>>> free_name(Path("corpus"), "berita.txt")                      # doctest: +SKIP
'berita-2.txt'
"""

from __future__ import annotations

import errno
import io
import os
import secrets
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

from .errors import CorpusError

__all__ = ["copy_into", "free_name", "write_into"]

_CHUNK = 1 << 20
# Not every platform has O_NOFOLLOW; O_EXCL alone already refuses an existing link.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
# Errors of os.link meaning "this file system has no hard links", not "the name is taken".
_NO_HARD_LINKS = {errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EMLINK}


def copy_into(source: str | os.PathLike, folder: str | os.PathLike, name: str | None = None, *, replace: bool = False) -> Path:
    """Copies ``source`` to ``folder/name`` (``name`` defaults to the source's file name).

    Without ``replace`` the name must be free (raises :class:`CorpusError` if it is taken);
    with it, what is there is replaced (a symlink itself, not its target). Raises
    CorpusError with a one-line message if the source cannot be read or the copy cannot be
    written (``no space left on device while writing corpus/x.txt``); then no file is left.

    >>> copy_into("/tmp/berita.txt", "corpus", "berita-2.txt")      # doctest: +SKIP
    PosixPath('corpus/berita-2.txt')
    """
    source = Path(source)
    try:
        reader = source.open("rb")
    except OSError as error:
        raise CorpusError(f"cannot read {source}: {error.strerror or error}") from None
    with reader:
        return _write_into(reader, folder, source.name if name is None else name, replace)


def write_into(data: bytes, folder: str | os.PathLike, name: str, *, replace: bool = False) -> Path:
    """Writes ``data`` to ``folder/name`` as :func:`copy_into` copies a file (a fetched
    page): atomically, never through a symlink, nothing left behind on failure.

    >>> write_into(b"<html>", "corpus", "www.bnpt.go.id_berita.html", replace=True)  # doctest: +SKIP
    PosixPath('corpus/www.bnpt.go.id_berita.html')
    """
    return _write_into(io.BytesIO(data), folder, name, replace)


def _write_into(reader: BinaryIO, folder: str | os.PathLike, name: str, replace: bool) -> Path:
    folder = Path(folder)
    if name in {"", ".", ".."} or "/" in name or os.sep in name or (os.altsep and os.altsep in name):
        raise CorpusError(f"{name!r} is not a plain file name")
    target = folder / name
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise _write_error(error, folder) from None
    temporary = folder / f".{name}.{secrets.token_hex(4)}.tmp"
    try:
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
        with os.fdopen(descriptor, "wb") as writer:
            shutil.copyfileobj(reader, writer, _CHUNK)
            writer.flush()
            os.fsync(writer.fileno())
        taken = not _put_in_place(temporary, target, replace)
    except OSError as error:
        temporary.unlink(missing_ok=True)
        raise _write_error(error, target) from None
    if taken:
        temporary.unlink(missing_ok=True)
        raise CorpusError(f"{target} already exists")
    return target


def _put_in_place(temporary: Path, target: Path, replace: bool) -> bool:
    """Moves ``temporary`` to ``target``; False (and nothing moved) if the name is taken."""
    if replace:
        os.replace(temporary, target)
        return True
    try:
        os.link(temporary, target, follow_symlinks=False)
    except FileExistsError:
        return False
    except OSError as error:
        if error.errno not in _NO_HARD_LINKS:
            raise
        # No hard links here (some network and FUSE file systems): check, then rename.
        if os.path.lexists(target):
            return False
        os.rename(temporary, target)
        return True
    temporary.unlink()
    return True


def _write_error(error: OSError, path: Path) -> CorpusError:
    """``no space left on device while writing corpus/x.txt``: what went wrong, and where."""
    reason = error.strerror or str(error)
    return CorpusError(f"{reason[:1].lower()}{reason[1:]} while writing {path}")


def free_name(folder: Path, name: str, taken: Callable[[str], bool] = lambda name: False) -> str:
    """``name``, or the first of ``stem-2.ext``, ``stem-3.ext``… that is neither a file
    (or link) in ``folder`` nor ``taken``.

    >>> free_name(Path("/nonexistent"), "berita.txt", lambda name: name == "berita.txt")
    'berita-2.txt'
    """
    candidate, stem, suffix = name, Path(name).stem, Path(name).suffix
    number = 1
    while os.path.lexists(folder / candidate) or taken(candidate):
        number += 1
        candidate = f"{stem}-{number}{suffix}"
    return candidate
