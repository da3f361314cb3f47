"""The spec's patterns are ECMA-262 regular expressions (JSON Schema's dialect, with the ``u`` flag as JS
validators use it); this turns one into a Python ``re`` pattern that matches exactly the same strings.

Where the two dialects differ, and what the translation writes instead:

* ``\\s``/``\\S``: Python's also match U+001C-U+001F and U+0085; ECMA's are the explicit class ``WHITESPACE``;
* ``\\d``/``\\D`` and ``\\w``/``\\W``: Python's match every Unicode digit and letter; ECMA's only ASCII;
* ``$``: Python's also matches before a final newline; ECMA's (without the ``m`` flag) only at the very end;
* ``.``: Python's matches ``\\r``, U+2028 and U+2029; ECMA's no line terminator.

Anything the translation cannot vouch for (``\\b``, a negated shorthand inside a class, back-references,
named groups, lookbehind, ``\\u{...}``) raises ``UnsupportedPattern``, so a new pattern that needs it is seen
when the rules are built, not when two validators disagree.
"""

from __future__ import annotations

import functools
import re

# ECMA-262 WhiteSpace and LineTerminator: what \s matches there.
WHITESPACE = "\\t\\n\\v\\f\\r \\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_DIGIT = "0-9"
_WORD = "A-Za-z0-9_"
_IN_CLASS = {"d": _DIGIT, "w": _WORD, "s": WHITESPACE}
_OUTSIDE = {
    "d": f"[{_DIGIT}]",
    "D": f"[^{_DIGIT}]",
    "w": f"[{_WORD}]",
    "W": f"[^{_WORD}]",
    "s": f"[{WHITESPACE}]",
    "S": f"[^{WHITESPACE}]",
}
# Escapes that mean the same in both (a character, or a control/hex/unicode escape handled by both).
_SAME = set("tnvfr0\\/^$.*+?()[]{}|-")
_LINE_TERMINATORS = "\\n\\r\\u2028\\u2029"


class UnsupportedPattern(ValueError):
    """A pattern uses a construct whose meaning this translation does not guarantee in both dialects."""


def to_python(pattern: str) -> str:
    """The Python form of the ECMA-262 ``pattern`` (see the module docstring)."""
    out: list[str] = []
    in_class = False
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if char == "\\":
            if i + 1 >= len(pattern):
                raise UnsupportedPattern(f"{pattern!r}: ends with a lone backslash")
            escaped = pattern[i + 1]
            i += 2
            if escaped in _IN_CLASS and in_class:
                out.append(_IN_CLASS[escaped])
            elif escaped in _OUTSIDE and not in_class:
                out.append(_OUTSIDE[escaped])
            elif escaped in "xu" and pattern[i : i + 1] != "{":
                width = 2 if escaped == "x" else 4
                digits = pattern[i : i + width]
                if not re.fullmatch(f"[0-9A-Fa-f]{{{width}}}", digits):
                    raise UnsupportedPattern(f"{pattern!r}: \\{escaped} needs {width} hex digits")
                out.append(f"\\{escaped}{digits}")
                i += width
            elif escaped in _SAME:
                out.append("\\" + escaped)
            else:
                raise UnsupportedPattern(f"{pattern!r}: \\{escaped} may mean different things in ECMA-262 and Python")
            continue
        if in_class:
            if char == "]":
                in_class = False
            elif char == "[":
                out.append("\\[")  # a literal in ECMA; Python warns about (future) nested sets
                i += 1
                continue
        elif char == "[":
            in_class = True
            out.append(char)
            if pattern[i + 1 : i + 2] == "^":
                out.append("^")
                i += 1
            if pattern[i + 1 : i + 2] == "]":
                raise UnsupportedPattern(f"{pattern!r}: an empty class or a leading ] differs between the dialects")
            i += 1
            continue
        elif char == "$":
            char = "\\Z"
        elif char == ".":
            char = f"[^{_LINE_TERMINATORS}]"
        elif char == "(" and pattern[i + 1 : i + 2] == "?" and pattern[i + 2 : i + 3] not in (":", "=", "!"):
            raise UnsupportedPattern(f"{pattern!r}: only (?:...), (?=...) and (?!...) groups are supported")
        out.append(char)
        i += 1
    if in_class:
        raise UnsupportedPattern(f"{pattern!r}: unterminated character class")
    return "".join(out)


@functools.cache
def compile_ecma(pattern: str) -> re.Pattern[str]:
    """``re.compile`` of the Python form: ``.search`` answers what ECMA-262's ``RegExp.test`` answers."""
    return re.compile(to_python(pattern))
