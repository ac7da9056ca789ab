r"""Text from articles and file names made safe to print on a terminal.

An article title holding ``ESC[2J`` clears the screen when printed raw, and ``ESC]0;…BEL``
sets the window title; a file name holding a newline can print a line of its own that
looks like a ``warning:``. As git and ls do, control characters are shown escaped instead:
:func:`escape_controls` is the one function every text output goes through.

>>> print(escape_controls("Judul\x1b[2J\nbaru"))
Judul\x1b[2J\nbaru
"""

from __future__ import annotations

import re

__all__ = ["escape_controls"]

# C0 controls, DEL, C1 controls (U+009B is a one-character CSI for some terminals), and lone
# surrogates: what JSON or a broken file decodes bytes that are not UTF-8 to; printing one
# raises UnicodeEncodeError.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
# The same, but line breaks and tabs of multi-line text (an article body) stay as they are.
_CONTROL_BUT_LINES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]|\r(?!\n)")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _shown(match: re.Match[str]) -> str:
    char = match.group()
    return _NAMED.get(char) or (f"\\x{ord(char):02x}" if ord(char) < 0x100 else f"\\u{ord(char):04x}")


def escape_controls(text: str, *, keep_lines: bool = False) -> str:
    r"""``text`` with every control character shown as an escape (``\x1b``, ``\n``, ``\u009b``);
    with ``keep_lines``, line breaks and tabs are kept (for multi-line text).

    >>> escape_controls("satu\ndua\x07", keep_lines=True)
    'satu\ndua\\x07'
    >>> escape_controls("a\rb\r\n", keep_lines=True)
    'a\\rb\r\n'
    """
    return (_CONTROL_BUT_LINES if keep_lines else _CONTROL).sub(_shown, text)
