"""Fingerprints that let GitHub (and baselines) recognise the same finding across runs.

`line_hashes` is a Python port of `hash()` in github/codeql-action `src/fingerprints.ts`
(Copyright GitHub, Inc., MIT licence, https://github.com/github/codeql-action). It gives the
value upload-sarif would compute for `partialFingerprints.primaryLocationLineHash`, so SARIF
uploaded through the REST API (which computes nothing) de-duplicates like SARIF uploaded by the
action. The algorithm: a rolling hash, base 37 modulo 2^64, over the first 100 characters that
are not spaces or tabs, starting at each line, with CR and CRLF read as LF; the file ends with a
65535 marker followed by zeros; the value is `<hex>:<n>` where n counts earlier lines of the
file with the same hash. JavaScript strings are UTF-16, so characters outside the BMP count as
two units here too.

`stable_fingerprint` is ccpolicy's own: it ignores line numbers so that a finding keeps its
identity when lines move, which is what baselines and waivers need.
"""

from __future__ import annotations

import sys
from array import array

from scanner import regexcache
from scanner.digest import sha256

_BLOCK_SIZE = 100
_BASE = 37
_MASK = (1 << 64) - 1
_FIRST_MOD = pow(_BASE, _BLOCK_SIZE, 1 << 64)
_EOF_UNIT = 65535
_LF = 0x0A
_NOT_HASHED = str.maketrans("", "", " \t")
_FINGERPRINT_VERSION = "ccpolicy/v1"
_LEADING_DOT_SLASH = regexcache.compile(r"^(?:\./)+")


def _utf16_units(text: str) -> array[int]:
    units = array("H")
    # surrogatepass: text decoded with surrogateescape still hashes instead of raising.
    units.frombytes(text.encode("utf-16-le", errors="surrogatepass"))
    if sys.byteorder == "big":
        units.byteswap()
    return units


def line_hashes(text: str) -> list[str]:
    """primaryLocationLineHash for every line of `text`; index 0 is line 1.

    Lines are counted the way codeql-action counts them (split on CRLF, CR or LF), so a
    trailing newline adds a last, empty line.
    """
    # Newlines first: removing blanks before folding CRLF would join "\r \n" into one break,
    # whereas the original treats it as two.
    normalised = text.replace("\r\n", "\n").replace("\r", "\n").translate(_NOT_HASHED)
    units = _utf16_units(normalised)
    units.append(_EOF_UNIT)
    length = len(units)
    units.extend([0] * _BLOCK_SIZE)

    # A line starts at the first hashed unit after a LF (the LF of an empty line counts), and
    # the EOF marker starts a last, empty line after a final newline.
    is_line_start = bytearray(length)
    is_line_start[0] = 1
    for index in range(length - 1):
        if units[index] == _LF:
            is_line_start[index + 1] = 1

    hashes: list[str] = []
    seen: dict[str, int] = {}
    window_hash = 0
    for end in range(length + _BLOCK_SIZE - 1):
        leaving = units[end - _BLOCK_SIZE] if end >= _BLOCK_SIZE else 0
        window_hash = (window_hash * _BASE + units[end] - _FIRST_MOD * leaving) & _MASK
        start = end - (_BLOCK_SIZE - 1)
        if start >= 0 and is_line_start[start]:
            value = format(window_hash, "x")
            seen[value] = seen.get(value, 0) + 1
            hashes.append(f"{value}:{seen[value]}")
    return hashes


def stable_fingerprint(rule_id: str, context: str, key: str, path: str) -> str:
    """32 hex characters identifying a finding by rule, context, key and file, never by line.

    `key` is the setting or variable name the finding is about (never a value, so never a
    secret). The path is normalised to POSIX form so Windows and POSIX runs agree.
    """
    clean_path = _LEADING_DOT_SLASH.sub("", path.replace("\\", "/"))
    # A separator that cannot occur in any part keeps ("a", "bc") apart from ("ab", "c").
    material = "\x1f".join((_FINGERPRINT_VERSION, rule_id, context, key, clean_path))
    return sha256(material.encode("utf-8", errors="surrogatepass")).hexdigest()[:32]
