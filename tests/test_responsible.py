"""Responsible text split into names and resolved against the directory's aliases."""

import pytest

from reminder.responsible import Resolver

RESOLVER = Resolver.from_parties(
    [
        ("UNW", "UN Women", ["UN-Women", "UNWOMEN"]),
        ("IOM", "International Organization for Migration", []),
        ("ILO", "International Labour Organization", ["International Labour Office"]),
        ("MLSP", "Ministry of Labour and Social Protection", []),
        ("WF", "Women's Fund", []),
    ]
)

CASES = [
    # text, codes, unresolved: what it proves
    ("UN Women, IOM and ILO", ("UNW", "IOM", "ILO"), ()),  # commas and "and"
    ("UN Women; IOM / ILO & MLSP", ("UNW", "IOM", "ILO", "MLSP"), ()),  # ; / & separators
    ("un-women", ("UNW",), ()),  # case and punctuation insensitive
    ("UN  Women", ("UNW",), ()),  # spacing insensitive
    ("Ministry of Labour and Social Protection", ("MLSP",), ()),  # "and" inside an alias
    ("International Labour Office", ("ILO",), ()),  # an alias, not the name
    ("UN PBF secretariat and UN Women", ("UNW",), ("UN PBF secretariat",)),  # one unknown
    (
        "Country Representative, Programme Specialist",
        (),
        ("Country Representative", "Programme Specialist"),
    ),
    ("Economic Empowerment/Regional Offices", (), ("Economic Empowerment", "Regional Offices")),
    ("SRO", (), ("SRO",)),
    ("UN Women Kyrgyzstan CO", ("UNW",), ()),  # a known party named with its office
    ("Women?s Fund", ("WF",), ()),  # an apostrophe mangled to ? by an old export
    ("UN Women, UN Women", ("UNW",), ()),  # duplicates are listed once
    ("", (), ()),
]


@pytest.mark.parametrize(("text", "codes", "unresolved"), CASES)
def test_resolution(text: str, codes: tuple[str, ...], unresolved: tuple[str, ...]) -> None:
    resolution = RESOLVER.resolve(text)
    assert resolution.codes == codes
    assert resolution.unresolved == unresolved
