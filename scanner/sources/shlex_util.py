"""Quoting, lexing and recording shared by the shell-family sources.

POSIX sh (and bash/zsh/ksh, .envrc, Dockerfile RUN), fish and csh differ in their quoting
rules but not in what the scanner needs from them: words, with the unquoted text of each,
where every character came from, and which parts expand. One lexer serves all three,
parameterised by a `Dialect`.

A word is a sequence of `Piece`s. The split matters for classification: single-quoted text
never expands (`'$HOME'` is literal), while bare and double-quoted text does, so each piece
is classified on its own and the results are combined (`classify_pieces`).
"""

from __future__ import annotations

import bisect
import enum
import functools
import re
from collections.abc import Callable, Iterator, Sequence

from scanner import regexcache
from scanner.model import (
    FileKind,
    JSONValue,
    Location,
    Notification,
    Observation,
    ObservationKind,
    ParsedFile,
    ValueKind,
)
from scanner.records import NamedTuple
from scanner.sources.values import classify

NAME_RE = regexcache.compile(r"[A-Za-z_][A-Za-z0-9_]*")
ASSIGNMENT_RE = regexcache.compile(r"([A-Za-z_][A-Za-z0-9_]*)(\+?)=")
_CLAUDE_PACKAGE_ARG = regexcache.compile(r"(?:^|[=/:\s])@anthropic-ai/claude-code(?:@[^\s/]*)?$")
_CLAUDE_INSTALL_TEXT = regexcache.compile(
    r"@anthropic-ai/claude-code(?![\w-])|claude\.ai/install\.(?:sh|ps1|cmd)|\bclaude(?:\.exe)?\s+install\b"
)


# --------------------------------------------------------------------------- positions


class LineIndex:
    """Offsets to 1-based (line, column) in code points, by bisection over line starts."""

    __slots__ = ("_starts",)

    def __init__(self, text: str) -> None:
        starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            starts.append(i + 1)
            i = find("\n", i + 1)
        self._starts = starts

    def position(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._starts, offset) - 1
        line = max(line, 0)
        return line + 1, offset - self._starts[line] + 1


def normalize_text(text: str) -> str:
    """Drop a leading byte-order mark and turn CRLF into LF.

    Neither moves a column: editors and GitHub do not count the BOM, and a CR is always the
    last character of its line. Every source works on this text and keeps the original in
    `ParsedFile.text`.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n") if "\r" in text else text


Origin = Callable[[int], int]


def identity(offset: int) -> int:
    return offset


# --------------------------------------------------------------------------- words


class PieceKind(enum.Enum):
    LITERAL = "literal"  # single-quoted or escaped: never expands
    EXPAND = "expand"  # bare or double-quoted: $VAR, ${VAR}, $(cmd), `cmd` expand
    DYNAMIC = "dynamic"  # command substitution spelt without `$` (fish `(cmd)`, `<(cmd)`)


class Piece(NamedTuple):
    """Immutable; a NamedTuple rather than a dataclass because profiles make thousands."""

    text: str
    kind: PieceKind
    start: int  # offset, in the lexed text, of the first source character of the piece
    verbatim: bool = True  # text == lexed_text[start:start + len(text)]


class Word(NamedTuple):
    text: str  # after quote removal and escape processing (expansions left as written)
    pieces: tuple[Piece, ...]
    start: int
    end: int  # exclusive
    unterminated: bool = False
    array: bool = False  # NAME=( ... ) in POSIX dialects

    def offset_of(self, index: int) -> int:
        """Source offset of the `index`-th character of `text` (the word start if out of range)."""
        consumed = 0
        for piece in self.pieces:
            size = len(piece.text)
            if index < consumed + size:
                return piece.start + (index - consumed) if piece.verbatim else piece.start
            consumed += size
        return self.end if index >= consumed and self.pieces else self.start

    def pieces_from(self, index: int) -> tuple[Piece, ...]:
        """The pieces that make up `text[index:]`, splitting one piece if needed."""
        out: list[Piece] = []
        consumed = 0
        for piece in self.pieces:
            size = len(piece.text)
            if consumed + size <= index:
                consumed += size
                continue
            cut = index - consumed
            if cut > 0:
                start = piece.start + cut if piece.verbatim else piece.start
                out.append(Piece(piece.text[cut:], piece.kind, start, piece.verbatim))
            else:
                out.append(piece)
            consumed += size
        return tuple(out)

    @property
    def bare_prefix(self) -> str:
        """The unquoted, unescaped text the word starts with (what assignments are made of)."""
        first = self.pieces[0] if self.pieces else None
        if first is None or first.kind is not PieceKind.EXPAND or first.start != self.start:
            return ""
        return first.text


class LexError(NamedTuple):
    message: str  # never contains file content
    offset: int


class Dialect(NamedTuple):
    name: str
    operators: tuple[str, ...]  # longest first
    # Regular expressions are kept as source and compiled on first use (`_compiled`), so that
    # importing the module costs nothing when no shell file is scanned.
    bare: str  # a run of characters with no special meaning
    double: str  # next special character inside double quotes
    double_escapes: str  # what a backslash escapes inside double quotes
    master: str  # the fast path: see `_Lexer.run`
    rest: str  # the words and blanks left of a command that cannot matter
    plain: str  # a word with nothing to unquote or decode
    keywords: frozenset[str]  # reserved words that may precede a command
    heads: frozenset[str]  # command names a source acts on (besides launchers and assignments)
    named_keywords: frozenset[str] = frozenset()  # reserved words followed by a name: `function f`
    heredocs: bool = False
    ansi_c: bool = False  # $'...'
    backticks: bool = True
    paren_subst: bool = False  # fish: (cmd)
    single_escapes: bool = False  # fish: \' and \\ inside single quotes
    decode_bare_escapes: bool = False  # fish: \n is a newline outside quotes
    arrays: bool = False
    process_subst: bool = False
    word_breaks: str = " \t\n\r\f\v;&|()<>"


_LAUNCHERS = frozenset(
    {
        "env",
        "sudo",
        "doas",
        "nice",
        "nohup",
        "exec",
        "command",
        "builtin",
        "time",
        "timeout",
        "claude",
        "claude.exe",
        "npx",
        "bunx",
        "pnpx",
        "npm",
        "pnpm",
        "yarn",
        "bun",
    }
)
# Words a command can start with that can never change the environment, in each dialect.
_POSIX_KEYWORDS = frozenset(
    {
        "if",
        "then",
        "else",
        "elif",
        "fi",
        "do",
        "done",
        "while",
        "until",
        "{",
        "}",
        "!",
        "time",
        "esac",
        "noglob",
        "nocorrect",
        "coproc",
    }
)
_FISH_KEYWORDS = frozenset({"if", "else", "while", "and", "or", "not", "!", "begin", "end", "time"})
_CSH_KEYWORDS = frozenset(
    {"if", "then", "else", "endif", "end", "while", "foreach", "switch", "breaksw", "nohup"}
)
# Command names the sources act on, besides `_LAUNCHERS` and assignments.
_POSIX_HEADS = frozenset(
    {
        "export",
        "declare",
        "typeset",
        "local",
        "readonly",
        "unset",
        "set",
        "alias",
        "source",
        ".",
        "setopt",
        "unsetopt",
        "dotenv",
        "dotenv_if_exists",
        "source_env",
        "source_env_if_exists",
        "source_up",
        "source_up_if_exists",
    }
)
_FISH_HEADS = frozenset({"set", "alias", "source", "."})
_CSH_HEADS = frozenset({"setenv", "unsetenv", "alias", "source"})


@functools.lru_cache(maxsize=32)
def _compiled(pattern: str) -> re.Pattern[str]:
    return regexcache.compile(pattern)


def _rest(word: str) -> str:
    """Further words, each after blanks; it stops before a comment, an operator or a newline.

    Like the `w` group of `_master`, a word may stop short of its real end (at `$(` say);
    `last` is where the last word began, so that the caller can hand it back.
    """
    return rf"(?:(?:[ \t\r\f\v]|\\\n)+(?!#)(?P<last>(?:{word})+))*"


def _master(operators: Sequence[str], word: str) -> str:
    """Blanks and continuations, then one newline, comment, operator or simple word.

    A newline also takes the blank and comment-only lines after it: they add nothing.
    Every alternative inside `word` matches a distinct first character, and nothing follows
    the repetitions, so a failed attempt never backtracks more than linearly.
    """
    ops = "|".join(re.escape(op) + (r"(?!\()" if op in ("<", ">") else "") for op in operators)
    blank = r"[ \t\r\f\v]"
    return (
        rf"(?:{blank}|\\\n)*(?:(?P<w>(?!#)(?:{word})+)|(?P<nl>\n(?:{blank}*(?:#[^\n]*)?\n)*)|(?P<op>{ops})"
        rf"|(?P<c>#[^\n]*))"
    )


_POSIX_OPERATORS = (
    ";;&",
    "&>>",
    "<<-",
    "<<<",
    "&&",
    "||",
    ";;",
    ";&",
    "|&",
    "&>",
    "<<",
    ">>",
    "<&",
    ">&",
    "<>",
    ">|",
    ";",
    "&",
    "|",
    "(",
    ")",
    "<",
    ">",
)
_FISH_OPERATORS = ("&>>", "&&", "||", "&>", ">>", ">?", ";", "&", "|", "<", ">")
_CSH_OPERATORS = (
    ">>&!",
    ">>&",
    ">&!",
    "&&",
    "||",
    "|&",
    ">>",
    ">&",
    ">!",
    "<<",
    ";",
    "&",
    "|",
    "(",
    ")",
    "<",
    ">",
)

# What the fast path owns of a word (see `_master`): plain runs, escapes, simple quotes and
# `$NAME`/`${NAME}`, each alternative with its own first character.
_DQ_BRACE = r"""\$\{[^{}'"`\\$\n]*\}"""
_POSIX_WORD = "|".join(
    (
        r"""[^\s;&|()<>\\'"$`]+""",
        r"\\[^\n]",
        r"'[^']*'",
        r'"(?:[^"\\$`]|\\[^\n]|\$(?![({])|' + _DQ_BRACE + r')*"',
        r"""\$(?![('"{])""",
        _DQ_BRACE,
    )
)
_FISH_WORD = "|".join(
    (
        r"""[^\s;&|<>\\'"$()]+""",
        r"\\[^\n]",
        r"'(?:[^'\\]|\\[^\n])*'",
        r'"(?:[^"\\$]|\\[^\n]|\$(?!\())*"',
        r"""\$(?![("])""",
    )
)
_CSH_WORD = "|".join(
    (
        r"""[^\s;&|()<>\\'"$`]+""",
        r"\\[^\n]",
        r"'[^']*'",
        r'"(?:[^"$`\n]|\$(?![({])|' + _DQ_BRACE + r')*"',
        r"\$(?![({])",
        _DQ_BRACE,
    )
)

POSIX = Dialect(
    name="posix",
    operators=_POSIX_OPERATORS,
    keywords=_POSIX_KEYWORDS,
    named_keywords=frozenset({"function"}),
    heads=_POSIX_HEADS,
    rest=_rest(_POSIX_WORD),
    master=_master(
        _POSIX_OPERATORS,
        _POSIX_WORD,
    ),
    bare=r"[^\s;&|()<>\\'\"$`]+",
    plain=r"""(?:[^\s;&|()<>\\'"$`]|\$(?![('"{])|\$\{[^{}'"`\\$\n]*\})+""",
    double=r"[\"\\$`]",
    double_escapes='$`"\\',
    heredocs=True,
    ansi_c=True,
    arrays=True,
    process_subst=True,
)

FISH = Dialect(
    name="fish",
    operators=_FISH_OPERATORS,
    keywords=_FISH_KEYWORDS,
    heads=_FISH_HEADS,
    rest=_rest(_FISH_WORD),
    master=_master(
        _FISH_OPERATORS,
        _FISH_WORD,
    ),
    bare=r"[^\s;&|<>\\'\"$(]+",
    plain=r"""(?:[^\s;&|<>\\'"$()]|\$(?![("]))+""",
    double=r"[\"\\$]",
    double_escapes='"$\\',
    backticks=False,
    paren_subst=True,
    single_escapes=True,
    decode_bare_escapes=True,
    word_breaks=" \t\n\r\f\v;&|<>",
)

CSH = Dialect(
    name="csh",
    operators=_CSH_OPERATORS,
    keywords=_CSH_KEYWORDS,
    heads=_CSH_HEADS,
    rest=_rest(_CSH_WORD),
    master=_master(
        _CSH_OPERATORS,
        _CSH_WORD,
    ),
    bare=r"[^\s;&|()<>\\'\"$`]+",
    plain=r"""(?:[^\s;&|()<>\\'"$`]|\$(?![({])|\$\{[^{}'"`\\$\n]*\})+""",
    double=r"[\"\\$`]",
    double_escapes="",
    heredocs=True,
)

_FISH_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "a": "\a", "b": "\b", "e": "\x1b", "f": "\f", "v": "\v"}
_ANSI_C_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "e": "\x1b",
    "E": "\x1b",
    "f": "\f",
    "v": "\v",
    "\\": "\\",
    "'": "'",
    '"': '"',
    "?": "?",
}
_HEX = regexcache.compile(r"[0-9A-Fa-f]+")
_SPACE = regexcache.compile(r"[ \t\r\f\v]+")
_PAREN_STOP = regexcache.compile(r"[()\\'\"`]")
_BRACE_STOP = regexcache.compile(r"[{}\\'\"`]")


def _decode_numeric(text: str, i: int, limit: int, base: int) -> tuple[str, int]:
    """Decode up to `limit` digits at `i`; returns (char, next index) or ("", i) when none."""
    digits = _HEX.match(text, i, min(len(text), i + limit)) if base == 16 else None
    if base == 8:
        j = i
        while j < len(text) and j < i + limit and text[j] in "01234567":
            j += 1
        if j == i:
            return "", i
        return _chr(int(text[i:j], 8)), j
    if digits is None:
        return "", i
    return _chr(int(digits.group(0), 16)), digits.end()


def _chr(code: int) -> str:
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return "\ufffd"


def decode_c_escape(text: str, i: int, table: dict[str, str]) -> tuple[str, int]:
    """`text[i]` is a backslash; returns the decoded character(s) and the index after the escape."""
    if i + 1 >= len(text):
        return "\\", i + 1
    c = text[i + 1]
    if c in table:
        return table[c], i + 2
    if c == "x":
        decoded, j = _decode_numeric(text, i + 2, 2, 16)
        return (decoded, j) if decoded else ("\\x", i + 2)
    if c in "uU":
        decoded, j = _decode_numeric(text, i + 2, 4 if c == "u" else 8, 16)
        return (decoded, j) if decoded else ("\\" + c, i + 2)
    if c in "01234567":
        return _decode_numeric(text, i + 1, 3, 8)
    return "", -1


_SEPARATORS = frozenset({"\n", ";", "&", "&&", "||", "|", "|&", ";;", ";&", ";;&", "(", ")"})


class _Lexer:
    def __init__(self, text: str, dialect: Dialect) -> None:
        self.text = text
        self.n = len(text)
        self.d = dialect
        self.master_re = _compiled(dialect.master)
        self.rest_re = _compiled(dialect.rest)
        self.plain_re = _compiled(dialect.plain)
        self.bare_re = _compiled(dialect.bare)
        self.double_re = _compiled(dialect.double)
        self.words: dict[int, Word] = {}  # by start offset, lexed on demand
        self.errors: list[LexError] = []
        self.pending: list[tuple[str, bool, int]] = []  # here-documents whose body starts at the next newline
        self.heredoc_op: str | None = None
        # The command state machine: the commands kept (word spans from the head on), the
        # one being read (None when it cannot matter), and what the next word is.
        self.commands: list[list[tuple[int, int]]] = []
        self.current: list[tuple[int, int]] | None = None
        self.held: list[tuple[int, int]] | None = None  # `name` just before `(`: maybe `name() {`
        self.at_head = True
        self.skip_word = False

    # ---- balanced scanners (command substitutions are kept verbatim, never parsed further)

    def scan_paren(self, i: int) -> int:
        """`text[i]` is `(`; index after the matching `)`, or len(text) when unterminated."""
        text, n = self.text, self.n
        opened = i
        depth = 0
        while i < n:
            m = _PAREN_STOP.search(text, i)
            if m is None:
                break
            i = m.start()
            c = text[i]
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif c == "\\":
                i += 1
            elif c == "'":
                j = text.find("'", i + 1)
                if j < 0:
                    break
                i = j
            elif c == '"':
                i = self.scan_double_raw(i)
                continue
            elif c == "`":
                i = self.scan_backtick(i)
                continue
            i += 1
        self.errors.append(LexError("unterminated parenthesis", opened))
        return n

    def scan_brace(self, i: int) -> int:
        """`text[i]` is the `{` of `${`; index after the matching `}`."""
        text, n = self.text, self.n
        opened = i
        depth = 0
        while i < n:
            m = _BRACE_STOP.search(text, i)
            if m is None:
                break
            i = m.start()
            c = text[i]
            if c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
                if depth == 0:
                    return i + 1
            elif c == "\\":
                i += 1
            elif c == "'":
                j = text.find("'", i + 1)
                if j < 0:
                    break
                i = j
            elif c == '"':
                i = self.scan_double_raw(i)
                continue
            elif c == "`":
                i = self.scan_backtick(i)
                continue
            i += 1
        self.errors.append(LexError("unterminated parameter expansion", opened))
        return n

    def scan_backtick(self, i: int) -> int:
        text, n = self.text, self.n
        j = i + 1
        while j < n:
            c = text[j]
            if c == "\\":
                j += 2
                continue
            if c == "`":
                return j + 1
            j += 1
        self.errors.append(LexError("unterminated backquote", i))
        return n

    def scan_double_raw(self, i: int) -> int:
        """`text[i]` is `"`; index after the closing quote (nested substitutions skipped)."""
        text, n = self.text, self.n
        j = i + 1
        while j < n:
            c = text[j]
            if c == '"':
                return j + 1
            if c == "\\":
                j += 2
                continue
            if c == "$" and j + 1 < n and text[j + 1] == "(":
                j = self.scan_paren(j + 1)
                continue
            if c == "`" and self.d.backticks:
                j = self.scan_backtick(j)
                continue
            j += 1
        self.errors.append(LexError("unterminated double quote", i))
        return n

    # ---- words

    def read_word(self, i: int) -> Word:
        text, n, d = self.text, self.n, self.d
        bare_match = self.bare_re.match
        start = i
        pieces: list[Piece] = []
        run = i  # start of the current verbatim EXPAND run
        unterminated = False
        array = False

        def flush(end: int) -> None:
            if end > run:
                pieces.append(Piece(text[run:end], PieceKind.EXPAND, run))

        while i < n:
            m = bare_match(text, i)
            if m is not None:
                i = m.end()
                if i >= n:
                    break
            c = text[i]
            if c == "\\":
                flush(i)
                if i + 1 < n and text[i + 1] == "\n":
                    i += 2
                elif i + 1 >= n:
                    pieces.append(Piece("\\", PieceKind.LITERAL, i))
                    i += 1
                elif d.decode_bare_escapes:
                    decoded, j = decode_c_escape(text, i, _FISH_ESCAPES)
                    if j < 0:
                        decoded, j = text[i + 1], i + 2
                    pieces.append(Piece(decoded, PieceKind.LITERAL, i, verbatim=False))
                    i = j
                else:
                    pieces.append(Piece(text[i + 1], PieceKind.LITERAL, i + 1))
                    i += 2
                run = i
            elif c == "'":
                flush(i)
                i, closed = self._single(i, pieces)
                unterminated |= not closed
                run = i
            elif c == '"':
                flush(i)
                i, closed = self._double(i, pieces)
                unterminated |= not closed
                run = i
            elif c == "$":
                nxt = text[i + 1] if i + 1 < n else ""
                if nxt == "(":
                    before = len(self.errors)
                    i = self.scan_paren(i + 1)
                    unterminated |= len(self.errors) > before
                elif nxt == "{" and d.name != "fish":
                    before = len(self.errors)
                    i = self.scan_brace(i + 1)
                    unterminated |= len(self.errors) > before
                elif nxt == "'" and d.ansi_c:
                    flush(i)
                    i, closed = self._ansi_c(i, pieces)
                    unterminated |= not closed
                    run = i
                elif nxt == '"' and d.ansi_c:
                    flush(i)
                    i, closed = self._double(i + 1, pieces)
                    unterminated |= not closed
                    run = i
                else:
                    i += 1
            elif c == "`" and d.backticks:
                before = len(self.errors)
                i = self.scan_backtick(i)
                unterminated |= len(self.errors) > before
            elif c == "(" and d.paren_subst:
                flush(i)
                before = len(self.errors)
                j = self.scan_paren(i)
                unterminated |= len(self.errors) > before
                pieces.append(Piece(text[i:j], PieceKind.DYNAMIC, i))
                i = j
                run = i
            elif c == "(" and d.arrays and not pieces and ASSIGNMENT_RE.fullmatch(text, start, i):
                before = len(self.errors)
                i = self.scan_paren(i)
                unterminated |= len(self.errors) > before
                array = True
            elif c in "<>" and d.process_subst and i + 1 < n and text[i + 1] == "(":
                flush(i)
                j = self.scan_paren(i + 1)
                pieces.append(Piece(text[i:j], PieceKind.DYNAMIC, i))
                i = j
                run = i
            elif c in d.word_breaks:
                break
            else:  # a character the bare pattern stops at but that means nothing here
                i += 1
        flush(i)
        word_text = "".join(p.text for p in pieces)
        return Word(word_text, tuple(pieces), start, i, unterminated, array)

    def _single(self, i: int, pieces: list[Piece]) -> tuple[int, bool]:
        text, n = self.text, self.n
        if not self.d.single_escapes:
            j = text.find("'", i + 1)
            if j < 0:
                self.errors.append(LexError("unterminated single quote", i))
                pieces.append(Piece(text[i + 1 :], PieceKind.LITERAL, i + 1))
                return n, False
            if j > i + 1:
                pieces.append(Piece(text[i + 1 : j], PieceKind.LITERAL, i + 1))
            return j + 1, True
        run = j = i + 1
        while j < n:
            c = text[j]
            if c == "'":
                if j > run:
                    pieces.append(Piece(text[run:j], PieceKind.LITERAL, run))
                return j + 1, True
            if c == "\\" and j + 1 < n and text[j + 1] in "'\\":
                if j > run:
                    pieces.append(Piece(text[run:j], PieceKind.LITERAL, run))
                pieces.append(Piece(text[j + 1], PieceKind.LITERAL, j + 1))
                j += 2
                run = j
                continue
            j += 1
        self.errors.append(LexError("unterminated single quote", i))
        if n > run:
            pieces.append(Piece(text[run:], PieceKind.LITERAL, run))
        return n, False

    def _double(self, i: int, pieces: list[Piece]) -> tuple[int, bool]:
        text, n, d = self.text, self.n, self.d
        search = self.double_re.search
        run = j = i + 1
        while True:
            m = search(text, j)
            if m is None:
                self.errors.append(LexError("unterminated double quote", i))
                if n > run:
                    pieces.append(Piece(text[run:], PieceKind.EXPAND, run))
                return n, False
            k = m.start()
            c = text[k]
            if c == '"':
                if k > run:
                    pieces.append(Piece(text[run:k], PieceKind.EXPAND, run))
                return k + 1, True
            if c == "\\":
                nxt = text[k + 1] if k + 1 < n else ""
                if nxt == "\n" or (nxt and nxt in d.double_escapes):
                    if k > run:
                        pieces.append(Piece(text[run:k], PieceKind.EXPAND, run))
                    if nxt != "\n":
                        pieces.append(Piece(nxt, PieceKind.LITERAL, k + 1))
                    j = run = k + 2
                else:
                    j = k + 1
            elif c == "$":
                nxt = text[k + 1] if k + 1 < n else ""
                if nxt == "(":
                    j = self.scan_paren(k + 1)
                elif nxt == "{" and d.name != "fish":
                    j = self.scan_brace(k + 1)
                else:
                    j = k + 1
            else:  # backquote
                j = self.scan_backtick(k)

    def _ansi_c(self, i: int, pieces: list[Piece]) -> tuple[int, bool]:
        text, n = self.text, self.n
        out: list[str] = []
        j = i + 2
        while j < n:
            c = text[j]
            if c == "'":
                if out:
                    pieces.append(Piece("".join(out), PieceKind.LITERAL, i + 2, verbatim=False))
                return j + 1, True
            if c == "\\":
                if j + 1 < n and text[j + 1] == "c" and j + 2 < n:
                    out.append(_chr(ord(text[j + 2]) & 0x1F))
                    j += 3
                    continue
                decoded, k = decode_c_escape(text, j, _ANSI_C_ESCAPES)
                if k < 0:
                    decoded, k = "\\" + text[j + 1], j + 2
                out.append(decoded)
                j = k
                continue
            out.append(c)
            j += 1
        self.errors.append(LexError("unterminated $'...' string", i))
        if out:
            pieces.append(Piece("".join(out), PieceKind.LITERAL, i + 2, verbatim=False))
        return n, False

    # ---- tokens

    def run(self) -> None:
        """Tokenise with the dialect's master pattern; anything it cannot own goes the slow way.

        The pattern owns blanks, newlines, comments, operators and words made of plain
        characters, escapes, simple quotes and `$NAME`/`${NAME}`. Command substitutions,
        unterminated quotes, arrays and the like stop it, and `slow_token` lexes that token
        character by character. Tokens are not kept: they feed the command state machine in
        `add_word`/`add_op`, which keeps only the commands that can matter.
        """
        text, n, d = self.text, self.n, self.d
        finditer = self.master_re.finditer
        breaks = d.word_breaks
        arrays = d.arrays
        process_subst = d.process_subst
        add_word = self.add_word
        add_op = self.add_op
        rest = self.rest_re.match
        pos = 0
        while pos < n:
            begin = pos
            slow = True  # unless the loop stops for a reason of its own, the slow path takes over
            for m in finditer(text, pos):
                if m.start() != pos:
                    break  # the pattern skipped something it cannot own
                kind = m.lastgroup
                end = m.end()
                if kind == "w":
                    start = m.start("w")
                    if end < n and (
                        text[end] not in breaks
                        or (arrays and text[end] == "(" and ASSIGNMENT_RE.fullmatch(text, start, end))
                        or (process_subst and text[end] in "<>" and text.startswith("(", end + 1))
                    ):  # the word goes on in a form the pattern does not own
                        pos = start
                        break
                    add_word(start, end, None)
                    pos = end
                    if self.current is None and not self.at_head and self.heredoc_op is None:
                        # a command that cannot matter: step over the rest of its words at once
                        skipped = rest(text, end)
                        assert skipped is not None  # `*` always matches
                        pos = skipped.end()
                        if end < pos < n and not self.at_boundary(pos):
                            pos = skipped.start("last")  # the last word goes the normal way
                        if pos != end:
                            slow = False
                            break
                elif kind == "op":
                    add_op(m.group("op"))
                    pos = end
                elif kind == "nl":
                    # blank and comment-only lines after a newline come with it: they add nothing
                    pos = end
                    if self.pending or self.heredoc_op is not None:
                        pos = self.newline(m.start("nl"))
                        slow = False
                        break  # here-document bodies start right after the first newline
                    add_op("\n")
                else:  # a comment
                    pos = end
            if slow and pos < n:
                pos = self.slow_token(pos)
            if pos <= begin:  # cannot happen; but a scanner must never loop in place
                pos = begin + 1
        add_op("\n")
        if self.pending:
            self.errors.append(LexError("unterminated here-document", self.pending[0][2]))

    def at_boundary(self, i: int) -> bool:
        """Whether a word that ends at `i` really ends there."""
        text, d = self.text, self.d
        c = text[i]
        if c not in d.word_breaks:
            return False
        if c == "(" and d.arrays:  # maybe `NAME=(...)`
            return False
        return not (c in "<>" and d.process_subst and text.startswith("(", i + 1))

    # ---- the command state machine

    def add_word(self, start: int, end: int, word: Word | None) -> None:
        text = self.text
        if end < self.n and text[end] in "<>" and text[start:end].isdigit():
            return  # an fd number: `2>&1`
        if word is not None:
            self.words[start] = word
        if self.held is not None:
            self.release_held()
        if self.heredoc_op is not None:
            delimiter = word if word is not None else self.word(start, end)
            self.pending.append((delimiter.text, self.heredoc_op == "<<-", start))
            self.heredoc_op = None
            self.skip_word = False
            return
        if self.skip_word:  # a redirection target or the name after `function`
            self.skip_word = False
            return
        if self.at_head:
            raw = text[start:end]
            d = self.d
            if raw in d.keywords:
                return
            if raw in d.named_keywords:
                self.skip_word = True
                return
            self.at_head = False
            head = raw.strip("'\"").rsplit("/", 1)[-1]
            if "=" in raw or head in d.heads or head.lower() in _LAUNCHERS:
                self.current = [(start, end)]
            return
        if self.current is not None:
            self.current.append((start, end))

    def add_op(self, op: str) -> None:
        if self.held is not None:
            if op == ")":  # `name ( )`: a function header, not a command
                self.held = None
                self.at_head = True
                return
            self.release_held()
        if op not in _SEPARATORS:  # a redirection: its target is not an argument
            self.skip_word = True
            self.heredoc_op = op if self.d.heredocs and op in ("<<", "<<-") else None
            return
        current = self.current
        if current is not None:
            if op == "(" and len(current) == 1:
                self.held = current
            else:
                self.commands.append(current)
            self.current = None
        self.at_head = True
        self.skip_word = False

    def release_held(self) -> None:
        assert self.held is not None
        self.commands.append(self.held)
        self.held = None

    def newline(self, i: int) -> int:
        self.add_op("\n")
        self.heredoc_op = None
        if self.pending:
            pending, self.pending = self.pending, []
            return self._skip_heredocs(i + 1, pending)
        return i + 1

    def word(self, start: int, end: int) -> Word:
        word = self.words.get(start)
        if word is not None:
            return word
        if self.plain_re.fullmatch(self.text, start, end):
            raw = self.text[start:end]
            return Word(raw, (Piece(raw, PieceKind.EXPAND, start),), start, end)
        errors = self.errors
        self.errors = []  # already reported when the span was first lexed
        try:
            word = self.read_word(start)
        finally:
            self.errors = errors
        self.words[start] = word
        return word

    def slow_token(self, i: int) -> int:
        """Lex one token (or skip one blank, comment or continuation) at `i`; returns the next index."""
        text, n, d = self.text, self.n, self.d
        m = _SPACE.match(text, i)
        if m is not None:
            return m.end()
        c = text[i]
        if c == "\n":
            return self.newline(i)
        if c == "\\" and i + 1 < n and text[i + 1] == "\n":
            return i + 2
        if c == "#":
            j = text.find("\n", i)
            return n if j < 0 else j
        if c in "<>" and d.process_subst and i + 1 < n and text[i + 1] == "(":
            word = self.read_word(i)
            self.add_word(i, word.end, word)
            return word.end
        if c in ";&|()<>":
            for op in d.operators:
                if text.startswith(op, i):
                    self.add_op(op)
                    return i + len(op)
        word = self.read_word(i)
        if word.end == i:  # a character nothing consumes: step over it rather than loop
            return i + 1
        self.add_word(i, word.end, word)
        return word.end

    def _skip_heredocs(self, i: int, pending: list[tuple[str, bool, int]]) -> int:
        text, n = self.text, self.n
        for delimiter, strip_tabs, opened in pending:
            found = False
            while i < n:
                j = text.find("\n", i)
                end = n if j < 0 else j
                line = text[i:end]
                if strip_tabs:
                    line = line.lstrip("\t")
                i = end + 1 if j >= 0 else n
                if line == delimiter:
                    found = True
                    break
            if not found:
                self.errors.append(LexError("unterminated here-document", opened))
                return n
        return i


class LexResult:
    """The commands that can matter, as word spans; `word()` lexes a span into a `Word`."""

    def __init__(self, lexer: _Lexer) -> None:
        self._lexer = lexer
        self.text = lexer.text
        self.dialect = lexer.d
        self.commands = lexer.commands
        self.errors = tuple(lexer.errors)

    def word(self, start: int, end: int) -> Word:
        return self._lexer.word(start, end)


def lex(text: str, dialect: Dialect) -> LexResult:
    lexer = _Lexer(text, dialect)
    try:
        lexer.run()
    except RecursionError:  # pragma: no cover - the scanners are iterative; belt and braces
        lexer.errors.append(LexError("input too deeply nested", 0))
    return LexResult(lexer)


# --------------------------------------------------------------------------- commands


def relevant_commands(result: LexResult) -> Iterator[list[Word]]:
    """The simple commands that can set, unset or export a variable or run Claude Code.

    Leading reserved words (`if`, `then`, `{`, ...; `function NAME`) are dropped, and so are
    commands whose head is not one of the dialect's `heads`, not a launcher (`env`,
    `claude`, `npx`, ...) and not an assignment: the lexer decides that from source text so
    that the words of the other commands are never lexed. Commands with an unterminated
    word are skipped too: the shell rejects them, so their assignments never happen.
    """
    for spans in result.commands:
        words = [result.word(start, end) for start, end in spans]
        if not any(word.unterminated for word in words):
            yield words


def command_basename(word: str) -> str:
    base = word.replace("\\", "/").rsplit("/", 1)[-1].lower()
    for suffix in (".exe", ".cmd", ".bat", ".ps1"):
        if base.endswith(suffix):
            return base[: -len(suffix)]
    return base


def is_claude_package(arg: str) -> bool:
    return bool(_CLAUDE_PACKAGE_ARG.search(arg))


def command_runs_claude(command: str, args: Sequence[str]) -> bool:
    """`claude ...`, or a package runner fetching Claude Code (`npx @anthropic-ai/claude-code`)."""
    base = command_basename(command)
    if base == "claude":
        return True
    if base in ("npx", "bunx", "pnpx"):
        return any(is_claude_package(a) for a in args)
    if base in ("npm", "pnpm", "yarn", "bun"):
        runner = any(a in ("dlx", "exec", "x") for a in args[:3])
        return runner and any(is_claude_package(a) for a in args)
    return False


def mentions_claude_install(text: str) -> bool:
    """A build step that installs Claude Code (npm package, native installer, `claude install`)."""
    return bool(_CLAUDE_INSTALL_TEXT.search(text))


class Invocation(NamedTuple):
    """What a simple command runs once prefix assignments and wrappers (`env`, `sudo`) are peeled."""

    assignments: tuple[Word, ...]  # NAME=value words the command's environment gets
    unsets: tuple[Word, ...]  # `env -u NAME` arguments
    command: Word | None
    args: tuple[Word, ...]
    runs_claude: bool


_WRAPPER_ARG_OPTIONS = {
    "env": frozenset({"-u", "-C", "-S", "--unset", "--chdir", "--split-string"}),
    "sudo": frozenset({"-u", "-g", "-p", "-C", "-D", "-h", "-r", "-t", "-T", "-U", "--user", "--group"}),
    "doas": frozenset({"-u", "-C"}),
    "nice": frozenset({"-n", "--adjustment"}),
    "exec": frozenset({"-a"}),
    "timeout": frozenset({"-s", "-k", "--signal", "--kill-after"}),
    "nohup": frozenset(),
    "command": frozenset(),
    "builtin": frozenset(),
    "time": frozenset({"-f", "-o", "--format", "--output"}),
}
_ASSIGNING_WRAPPERS = frozenset({"env", "sudo", "doas"})


def is_prefix_assignment(word: Word) -> bool:
    prefix = word.bare_prefix
    m = ASSIGNMENT_RE.match(prefix)
    return m is not None and m.group(2) == ""


def resolve_invocation(words: Sequence[Word], prefix_assignments: bool = True) -> Invocation:
    """Peel `X=1 env -u Y Z=2 nohup claude -p` down to `claude` with its environment changes."""
    assignments: list[Word] = []
    unsets: list[Word] = []
    i = 0
    count = len(words)
    if prefix_assignments:
        while i < count and is_prefix_assignment(words[i]):
            assignments.append(words[i])
            i += 1
    while i < count:
        base = words[i].text.rsplit("/", 1)[-1]  # case matters: a Dockerfile's `ENV` is not `env`
        options = _WRAPPER_ARG_OPTIONS.get(base)
        if options is None:
            break
        if base == "command" and i + 1 < count and words[i + 1].text in ("-v", "-V"):
            return Invocation(tuple(assignments), tuple(unsets), None, (), False)
        i += 1
        while i < count:
            arg = words[i].text
            if arg == "--":
                i += 1
                break
            if arg == "-" and base == "env":  # `env -` is `env -i`
                i += 1
                continue
            if not arg.startswith("-") or arg == "-":
                break
            if base == "env" and arg in ("-u", "--unset") and i + 1 < count:
                unsets.append(words[i + 1])
                i += 2
                continue
            if base == "env" and arg.startswith("--unset="):
                unsets.append(_subword(words[i], len("--unset=")))
                i += 1
                continue
            if base == "env" and arg.startswith("-u") and len(arg) > 2:
                unsets.append(_subword(words[i], 2))
                i += 1
                continue
            i += 2 if arg in options else 1
        if base in _ASSIGNING_WRAPPERS:
            while i < count and "=" in words[i].text and NAME_RE.fullmatch(words[i].text.split("=", 1)[0]):
                assignments.append(words[i])
                i += 1
        if base == "timeout" and i < count:
            i += 1  # the duration
    if i >= count:
        return Invocation(tuple(assignments), tuple(unsets), None, (), False)
    command = words[i]
    args = words[i + 1 :]
    runs = command_runs_claude(command.text, [a.text for a in args])
    return Invocation(tuple(assignments), tuple(unsets), command, tuple(args), runs)


def _subword(word: Word, index: int) -> Word:
    pieces = word.pieces_from(index)
    return Word(word.text[index:], pieces, word.offset_of(index), word.end)


# --------------------------------------------------------------------------- values

_NEUTRAL_SUBST = regexcache.compile(r"\$\(|`")


def classify_pieces(pieces: Sequence[Piece], *, substitutions: bool = True) -> ValueKind:
    """Combine per-piece classifications: quoted-literal text never expands.

    One reference and nothing else is a REFERENCE; a reference next to any other text, two
    references or any command substitution is DYNAMIC. `substitutions=False` for formats
    that expand `$VAR` but never run commands (dotenv, Dockerfile ENV), where `$(` and
    backquotes are just characters.
    """
    references = 0
    literal_text = False
    for piece in pieces:
        if piece.kind is PieceKind.DYNAMIC:
            return ValueKind.DYNAMIC
        if not piece.text:
            continue
        if piece.kind is PieceKind.LITERAL:
            literal_text = True
            continue
        text = piece.text if substitutions else _NEUTRAL_SUBST.sub("\x00", piece.text)
        kind = classify(text, github=False)
        if kind is ValueKind.DYNAMIC:
            return kind
        if kind is ValueKind.REFERENCE:
            references += 1
        else:
            literal_text = True
    if references == 0:
        return ValueKind.LITERAL
    if references == 1 and not literal_text:
        return ValueKind.REFERENCE
    return ValueKind.DYNAMIC


# --------------------------------------------------------------------------- recording


class Recorder:
    """Collects one file's observations and facts; `origin` maps lexed offsets to file offsets.

    Views made with `view()` share the collections, so an alias body or a Dockerfile RUN
    line can be lexed as its own text while recording positions in the file.
    """

    __slots__ = (
        "aliases",
        "commands",
        "errors",
        "flags",
        "index",
        "kind",
        "observations",
        "origin",
        "path",
        "sources",
    )

    def __init__(self, path: str, kind: FileKind, index: LineIndex, origin: Origin = identity) -> None:
        self.path = path
        self.kind = kind
        self.index = index
        self.origin = origin
        self.observations: list[Observation] = []
        self.commands: list[JSONValue] = []
        self.sources: list[JSONValue] = []
        self.aliases: list[JSONValue] = []
        self.errors: list[tuple[str, int]] = []  # (message, file offset)
        self.flags: dict[str, bool] = {"runs_claude": False}

    def view(self, origin: Origin) -> Recorder:
        outer = self.origin
        view = Recorder(self.path, self.kind, self.index, lambda offset: outer(origin(offset)))
        view.observations = self.observations
        view.commands = self.commands
        view.sources = self.sources
        view.aliases = self.aliases
        view.errors = self.errors
        view.flags = self.flags
        return view

    def position(self, offset: int) -> tuple[int, int]:
        return self.index.position(self.origin(offset))

    def end_position(self, end: int, start: int) -> tuple[int, int]:
        if end <= start:
            return self.position(start)
        line, column = self.index.position(self.origin(end - 1))
        return line, column + 1

    def location(self, start: int, end: int | None = None) -> Location:
        line, column = self.position(start)
        if end is None:
            return Location(self.path, line, column)
        end_line, end_column = self.end_position(end, start)
        return Location(self.path, line, column, end_line, end_column)

    def env(
        self,
        name: str,
        name_offset: int,
        value: str,
        value_kind: ValueKind,
        end: int,
        *,
        scope: str,
        group: tuple[str, ...] = (),
    ) -> None:
        self.observations.append(
            Observation(
                kind=ObservationKind.ENV,
                name=name,
                value=value,
                location=self.location(name_offset, end),
                file_kind=self.kind,
                scope=scope,
                value_kind=value_kind,
                group=group,
            )
        )

    def unset(self, name: str, name_offset: int, end: int, scope: str, group: tuple[str, ...] = ()) -> None:
        self.observations.append(
            Observation(
                kind=ObservationKind.UNSET,
                name=name,
                value=None,
                location=self.location(name_offset, end),
                file_kind=self.kind,
                scope=scope,
                value_kind=ValueKind.LITERAL,
                group=group,
            )
        )

    def error(self, message: str, offset: int) -> None:
        self.errors.append((message, self.origin(offset)))

    def notifications(self) -> tuple[Notification, ...]:
        """At most one: the first problem, and how many there were (no file content)."""
        if not self.errors:
            return ()
        message, offset = min(self.errors, key=lambda e: e[1])
        line, _ = self.index.position(offset)
        extra = len(self.errors) - 1
        suffix = f" ({extra} more problem{'s' if extra > 1 else ''} in this file)" if extra else ""
        return (
            Notification(
                level="warning",
                message=f"{message} at line {line}{suffix}",
                path=self.path,
                line=line,
                descriptor="parse-error",
            ),
        )

    def add_command(self, offset: int, command: str, runs_claude: bool, alias: str | None = None) -> str:
        """Record a command line; returns its line as the group key."""
        line, column = self.position(offset)
        self.commands.append(
            {"line": line, "column": column, "command": command, "runs_claude": runs_claude, "alias": alias}
        )
        if runs_claude:
            self.flags["runs_claude"] = True
        return str(line)

    def runs_claude_since(self, count: int) -> bool:
        """Whether a command recorded after the first `count` runs Claude Code."""
        entries = self.commands[count:]
        return any(isinstance(entry, dict) and entry.get("runs_claude") is True for entry in entries)

    def facts(self) -> dict[str, JSONValue]:
        return {
            "runs_claude": self.flags["runs_claude"],
            "commands": list(self.commands),
            "sources": list(self.sources),
            "aliases": list(self.aliases),
        }


def internal_error(path: str, kind: FileKind, text: str, what: str) -> ParsedFile:
    """What a source returns when it has a bug: the file is lost, the scan goes on."""
    note = Notification(
        "error",
        f"{path}: internal error while reading this {what}; the rest of the scan goes on",
        path,
        None,
        "internal-parse-error",
    )
    return ParsedFile(path=path, kind=kind, notifications=(note,), text=text)


def sub_origin(word: Word, value_index: int) -> Origin:
    """Map offsets inside `word.text[value_index:]` back to offsets in the word's lexed text."""

    def origin(offset: int) -> int:
        return word.offset_of(value_index + offset)

    return origin
