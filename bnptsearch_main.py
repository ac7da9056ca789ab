"""The ``bnptsearch`` command's entry point, outside the package on purpose.

Importing :mod:`bnptsearch` loads Whoosh and the analyzers (a few hundred milliseconds);
a Ctrl-C in that time would end in a ``KeyboardInterrupt`` traceback, and no code inside the
package runs early enough to catch it (the package's ``__init__`` is imported first). This
module imports nothing before catching it; :func:`bnptsearch.cli.main` handles Ctrl-C from
then on.

>>> main()                                            # doctest: +SKIP
"""

from __future__ import annotations

import sys

__all__ = ["main"]


def main() -> None:
    """Runs ``bnptsearch`` (``sys.argv``); Ctrl-C at any point prints ``Interrupted.``, exit 130."""
    try:
        from bnptsearch.cli import main as run
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        sys.exit(130)
    run()
