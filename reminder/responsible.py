"""Responsible text ("UN Women, IOM and ILO") read into names and resolved to party codes.

One reader serves every importer: at each word it first tries the directory's known names
(longest first; case-, space-, accent- and punctuation-insensitive; `?` stands for one
character mangled by an old export), and only between known names splits on separators."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

# A word (apostrophes and their '?' mangling kept inside), or a separator mark.
_TOKEN = re.compile(r"[^\W_]+(?:['’?][^\W_]+)*\??|[,;/&+]")
SEPARATOR_WORDS = frozenset({"and", "и", "et", "y"})
SEPARATOR_MARKS = frozenset({",", ";", "/", "&", "+"})


def normalise_name(text: str) -> str:
    """Case-, space- and punctuation-insensitive key for a party name or alias (also the
    evaluation identity: do not change what it returns for clean text)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"['’?]", "", text)
    return " ".join(re.findall(r"[^\W_]+", text))


@lru_cache(maxsize=65536)  # party names repeat on every row of a tracker
def word_key(word: str) -> str:
    """How a word is compared: case, accents and apostrophes ignored; '&' reads as 'and'."""
    if word == "&":
        return "and"
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    folded = "".join(char for char in decomposed if not unicodedata.combining(char))
    return folded.replace("'", "").replace("’", "")


@lru_cache(maxsize=4096)
def _wildcard(key: str) -> re.Pattern[str]:
    # '?' stood for one character (an accented letter, 'œ') or an apostrophe (now dropped).
    return re.compile(".?".join(re.escape(part) for part in key.split("?")))


def _same(token_key: str, alias_key: str) -> bool:
    if "?" not in token_key:
        return token_key == alias_key
    return bool(_wildcard(token_key).fullmatch(alias_key))


class Token(NamedTuple):  # a tuple: made for every word of every Responsible cell
    text: str
    key: str
    start: int
    end: int

    @property
    def is_separator(self) -> bool:
        return self.text in SEPARATOR_MARKS or self.key in SEPARATOR_WORDS


def tokenize(text: str) -> list[Token]:
    tokens = []
    for match in _TOKEN.finditer(text):
        word = match.group()
        tokens.append(Token(word, word_key(word), match.start(), match.end()))
    return tokens


@dataclass(frozen=True)
class Resolution:
    codes: tuple[str, ...]
    unresolved: tuple[str, ...]


class Resolver:
    """Knows every party's names and aliases; reads responsible text into names."""

    def __init__(self, aliases: dict[str, str], catch_all: str | None = None) -> None:
        # all word keys -> party code (the fast path), and by first word key, longest first,
        # for words with a mangled '?' that must be compared one by one
        self._exact: dict[tuple[str, ...], str] = {}
        self._by_first: dict[str, list[tuple[tuple[str, ...], str]]] = {}
        for alias, code in aliases.items():
            tokens = tokenize(alias)
            # A name with a comma ("Ministry of Health, Labour and Welfare") is known with and
            # without it; '&' is a word ("and") in both.
            written = tuple(token.key for token in tokens)
            bare = tuple(token.key for token in tokens if token.text not in ",;/+")
            for keys in {written, bare}:
                if keys:
                    self._exact[keys] = code
                    self._by_first.setdefault(keys[0], []).append((keys, code))
        for entries in self._by_first.values():
            entries.sort(key=lambda entry: len(entry[0]), reverse=True)
        self._longest = max((len(e[0]) for es in self._by_first.values() for e in es), default=0)
        # The party that receives what resolves to nobody, or to a name it does not know.
        self.catch_all = catch_all

    @classmethod
    def from_parties(
        cls, parties: Iterable[tuple[str, str, Iterable[str]]], catch_all: str | None = None
    ) -> Resolver:
        """From (code, name, aliases) triples: the code and the name are aliases too."""
        table: dict[str, str] = {}
        for code, name, aliases in parties:
            for alias in (code, name, *aliases):
                table[alias] = code
        return cls(table, catch_all)

    def __bool__(self) -> bool:
        return bool(self._by_first)

    def _candidates(self, key: str) -> list[tuple[tuple[str, ...], str]]:
        if "?" not in key:
            return self._by_first.get(key, [])
        found = [
            e for first, entries in self._by_first.items() if _same(key, first) for e in entries
        ]
        return sorted(found, key=lambda entry: len(entry[0]), reverse=True)

    def name_at(self, tokens: list[Token], start: int) -> tuple[str, int] | None:
        """The longest known name starting at tokens[start]: (code, number of tokens)."""
        window = [token.key for token in tokens[start : start + self._longest]]
        if not any("?" in key for key in window):
            for size in range(len(window), 0, -1):
                code = self._exact.get(tuple(window[:size]))
                if code is not None:
                    return code, size
            return None
        for keys, code in self._candidates(tokens[start].key):
            if len(keys) <= len(tokens) - start and all(
                _same(token.key, key) for token, key in zip(tokens[start:], keys, strict=False)
            ):
                return code, len(keys)
        return None

    def name_ending_at(self, tokens: list[Token], end: int) -> tuple[str, int] | None:
        """The longest known name ending just before tokens[end]: (code, number of tokens)."""
        for start in range(max(0, end - self._longest), end):
            found = self.name_at(tokens, start)
            if found and found[1] == end - start:
                return found
        return None

    def resolve(self, text: str) -> Resolution:
        """Known names first, then the rest split on separators. Between two separators,
        unknown words beside a known name qualify it ("UN Women Kyrgyzstan CO"); unknown
        words alone are a name the directory lacks, kept as written."""
        tokens = tokenize(text)
        codes: list[str] = []
        unresolved: list[str] = []
        segment_codes: list[str] = []
        words: list[Token] = []  # the segment's unknown words

        def close_segment() -> None:
            if segment_codes:
                codes.extend(code for code in segment_codes if code not in codes)
            elif words:
                unresolved.append(text[words[0].start : words[-1].end])
            segment_codes.clear()
            words.clear()

        index = 0
        while index < len(tokens):
            found = self.name_at(tokens, index)
            if found:
                segment_codes.append(found[0])
                index += found[1]
                continue
            if tokens[index].is_separator:
                close_segment()
            else:
                words.append(tokens[index])
            index += 1
        close_segment()
        return Resolution(tuple(codes), tuple(dict.fromkeys(unresolved)))

    def responsible_suffix_start(self, text: str) -> tuple[int, bool] | None:
        """Where a trailing list of known parties starts in `text`, and whether a separator
        precedes that list (so unknown names may belong to it too); None if none ends `text`."""
        tokens = tokenize(text)
        end = len(tokens)
        start: int | None = None
        while end > 0:
            found = self.name_ending_at(tokens, end)
            if not found:
                break
            start = end - found[1]
            end = start
            if end > 0 and tokens[end - 1].is_separator:
                end -= 1
                continue
            break
        if start is None:
            return None
        dangling = start > 0 and tokens[start - 1].is_separator
        return tokens[start].start, dangling


def repeats_action(action_text: str, responsible_text: str) -> bool:
    """Some pages repeat the action text in the responsible cell: it names nobody."""
    if not responsible_text or _first_word(action_text) != _first_word(responsible_text):
        return False  # nearly every row: no need to compare whole sentences
    return _sentence_key(action_text) == _sentence_key(responsible_text)


def _first_word(text: str) -> str:
    """Equal for any two texts whose _sentence_key is equal."""
    words = text.split(None, 1)
    return words[0].casefold().rstrip(".") if words else ""


def _sentence_key(text: str) -> str:
    return " ".join(text.casefold().split()).rstrip(".")
