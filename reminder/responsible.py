"""Responsible text ("UN Women, IOM and ILO") split into names and resolved to party codes."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# A word (apostrophes and their '?' mangling from old exports kept inside), or a separator.
_TOKEN = re.compile(r"[^\W_]+(?:['’?][^\W_]+)*|[,;/&+]")
SEPARATOR_WORDS = frozenset({"and", "и", "et", "y"})
SEPARATOR_MARKS = frozenset({",", ";", "/", "&", "+"})


def normalise_name(text: str) -> str:
    """Case-, space- and punctuation-insensitive key for a party name or alias."""
    text = unicodedata.normalize("NFKC", text).casefold()
    text = re.sub(r"['’?]", "", text)
    return " ".join(re.findall(r"[^\W_]+", text))


@dataclass(frozen=True)
class Token:
    text: str
    key: str
    start: int
    end: int

    @property
    def is_separator(self) -> bool:
        return self.text in SEPARATOR_MARKS or self.key in SEPARATOR_WORDS


def tokenize(text: str) -> list[Token]:
    return [
        Token(m.group(), normalise_name(m.group()) or m.group(), m.start(), m.end())
        for m in _TOKEN.finditer(text)
    ]


@dataclass(frozen=True)
class Resolution:
    codes: tuple[str, ...]
    unresolved: tuple[str, ...]


class Resolver:
    """Knows every party's aliases; resolves names and finds where a responsible list starts."""

    def __init__(self, aliases: dict[str, str]) -> None:
        # normalised alias words -> party code
        self._aliases: dict[tuple[str, ...], str] = {}
        for alias, code in aliases.items():
            words = tuple(normalise_name(alias).split())
            if words:
                self._aliases[words] = code
        self._longest = max((len(words) for words in self._aliases), default=0)

    @classmethod
    def from_parties(cls, parties: Iterable[tuple[str, str, Iterable[str]]]) -> Resolver:
        """From (code, name, aliases) triples: the code and the name are aliases too."""
        table: dict[str, str] = {}
        for code, name, aliases in parties:
            for alias in (code, name, *aliases):
                table[alias] = code
        return cls(table)

    def __bool__(self) -> bool:
        return bool(self._aliases)

    def _alias_at(self, tokens: list[Token], start: int) -> tuple[str, int] | None:
        """The longest alias starting at tokens[start]: (code, number of tokens)."""
        for size in range(min(self._longest, len(tokens) - start), 0, -1):
            words = tuple(token.key for token in tokens[start : start + size])
            if words in self._aliases:
                return self._aliases[words], size
        return None

    def _alias_ending_at(self, tokens: list[Token], end: int) -> tuple[str, int] | None:
        """The longest alias ending just before tokens[end]: (code, number of tokens)."""
        for size in range(min(self._longest, end), 0, -1):
            words = tuple(token.key for token in tokens[end - size : end])
            if words in self._aliases:
                return self._aliases[words], size
        return None

    def resolve(self, text: str) -> Resolution:
        """Split on , ; / & and 'and' (outside known aliases) and resolve each name."""
        tokens = tokenize(text)
        codes: list[str] = []
        unresolved: list[str] = []
        segment_codes: list[str] = []
        segment_start: int | None = None
        segment_end = 0

        def close_segment() -> None:
            nonlocal segment_codes, segment_start
            if segment_codes:
                codes.extend(code for code in segment_codes if code not in codes)
            elif segment_start is not None:
                unresolved.append(text[segment_start:segment_end].strip())
            segment_codes, segment_start = [], None

        index = 0
        while index < len(tokens):
            found = self._alias_at(tokens, index)
            if found:
                code, size = found
                segment_codes.append(code)
                segment_start = tokens[index].start if segment_start is None else segment_start
                segment_end = tokens[index + size - 1].end
                index += size
                continue
            token = tokens[index]
            if token.is_separator:
                close_segment()
            else:
                segment_start = token.start if segment_start is None else segment_start
                segment_end = token.end
            index += 1
        close_segment()
        return Resolution(tuple(codes), tuple(name for name in unresolved if name))

    def responsible_suffix_start(self, text: str) -> tuple[int, bool] | None:
        """Where a trailing list of known parties starts in `text`, and whether a separator
        precedes that list (so unknown names may belong to it too); None if none ends `text`."""
        tokens = tokenize(text)
        end = len(tokens)
        start: int | None = None
        while end > 0:
            found = self._alias_ending_at(tokens, end)
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
