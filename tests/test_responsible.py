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
        ("MHLW", "Ministry of Health, Labour and Welfare", []),
        ("ROAP", "UN Women Regional Office for Asia and the Pacific", []),
        ("BRA", "ONU Mujeres Brasil & Cono Sur", []),
        ("MFE", "Ministère de la Femme", []),
        ("RCO", "RCO", []),
        ("UNCT", "UNCT", []),
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
    # Issue 13: known names are matched whole, longest first, before any splitting.
    ("Ministry of Health, Labour and Welfare and IOM", ("MHLW", "IOM"), ()),  # a comma inside
    ("Ministry of Health Labour and Welfare", ("MHLW",), ()),  # the same without its comma
    ("UN Women Regional Office for Asia and the Pacific", ("ROAP",), ()),  # longest first
    ("ONU Mujeres Brasil & Cono Sur", ("BRA",), ()),  # "&" inside a name
    ("ONU Mujeres Brasil and Cono Sur", ("BRA",), ()),  # "&" read as "and"
    ("RCO + UNCT", ("RCO", "UNCT"), ()),  # "+" separates
    ("UN Women y IOM et ILO", ("UNW", "IOM", "ILO"), ()),  # Spanish and French "and"
    ("Minist?re de la Femme", ("MFE",), ()),  # "?" for a mangled accented letter
    ("ministere de la femme", ("MFE",), ()),  # accents ignored
    ("Wanda Ruiz ; Responsable de projet", (), ("Wanda Ruiz", "Responsable de projet")),
]


@pytest.mark.parametrize(("text", "codes", "unresolved"), CASES)
def test_resolution(text: str, codes: tuple[str, ...], unresolved: tuple[str, ...]) -> None:
    resolution = RESOLVER.resolve(text)
    assert resolution.codes == codes
    assert resolution.unresolved == unresolved
