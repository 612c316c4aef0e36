"""The help desk's site search (``inventory.site_search``): abbreviations both ways, choices for
ambiguous queries, a confident answer only for a clear winner; pure logic, no Flask."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from inventory.site_search import (
    MAX_QUERY_WORDS,
    SiteWordsError,
    default_rewrites,
    load_rewrites,
    name_words,
    query_words,
    search,
)

# the demo network's schools and offices that caused the report: "SD Negeri 2" answered, big and
# green, about Jurangombo 2 when the caller most likely meant Magelang 2
SITES = [
    "SD Negeri Magelang 1",
    "SD Negeri Magelang 2",
    "SD Negeri Magelang 3",
    "SD Negeri Kedungsari 1",
    "SD Negeri Jurangombo 2",
    "SMP Negeri 1 Magelang",
    "SMP Negeri 2 Magelang",
    "SMA Negeri 2 Magelang",
    "SMK Negeri 1 Magelang",
    "Puskesmas Kerkopan",
    "Puskesmas Magelang Utara",
    "Kantor Kelurahan Wates",
    "Kantor Kelurahan Kedungsari",
    "Kantor Kecamatan Magelang Utara",
    "Kantor Kecamatan Magelang Selatan",
    "RSUD Tidar Kota Magelang",
    "MTs Negeri 1 Magelang",
]


def _search(query: str, sites: list[str] = SITES):  # type: ignore[no-untyped-def]
    return search(query, sites, lambda name: (name,))


@pytest.mark.parametrize("query", ["SD Negeri 2", "SDN 2", "sekolah dasar negeri 2", "sdn2", "SD N 2"])
def test_an_ambiguous_query_gets_choices_not_an_answer(query: str) -> None:
    result = _search(query)
    assert result.answer is None
    assert [m.name for m in result.choices] == ["SD Negeri Jurangombo 2", "SD Negeri Magelang 2"]
    assert "SD Negeri Magelang 1" in [m.name for m in result.others]  # weaker: another number


@pytest.mark.parametrize(
    ("query", "site"),
    [
        ("sdn 2 magelang", "SD Negeri Magelang 2"),
        ("sekolah dasar negeri magelang 2", "SD Negeri Magelang 2"),
        ("SD Negeri Jurangombo 2", "SD Negeri Jurangombo 2"),
        ("smpn1", "SMP Negeri 1 Magelang"),
        ("sekolah menengah pertama negeri 1", "SMP Negeri 1 Magelang"),
        ("smp negri 1 magelng", "SMP Negeri 1 Magelang"),
        ("SMKN 1", "SMK Negeri 1 Magelang"),
        ("mtsn 1", "MTs Negeri 1 Magelang"),
        ("madrasah tsanawiyah negeri 1 magelang", "MTs Negeri 1 Magelang"),
        ("PKM Kerkopan", "Puskesmas Kerkopan"),
        ("Kel. Wates", "Kantor Kelurahan Wates"),
        ("kec magelang selatan", "Kantor Kecamatan Magelang Selatan"),
        ("rumah sakit tidar", "RSUD Tidar Kota Magelang"),
    ],
)
def test_a_clear_winner_is_the_answer(query: str, site: str) -> None:
    result = _search(query)
    assert result.answer is not None and result.answer.name == site, result.matches[:3]
    assert result.choices == ()


def test_abbreviations_work_both_ways() -> None:
    """A site written with the abbreviation is found by the long form, and the other way round."""
    written_short = ["SDN Magelang 5", "PKM Tegalrejo", "Kel. Cacaban", "SMAN 4 Magelang"]
    for query, site in [
        ("sekolah dasar negeri magelang 5", "SDN Magelang 5"),
        ("puskesmas tegalrejo", "PKM Tegalrejo"),
        ("kelurahan cacaban", "Kel. Cacaban"),
        ("sma negeri 4", "SMAN 4 Magelang"),
    ]:
        answer = _search(query, written_short).answer
        assert answer is not None and answer.name == site, query
    assert name_words("SDN 2") == name_words("Sekolah Dasar Negeri 2") == ("sd", "negeri", "2")


def test_equal_matches_are_all_choices_and_numbers_must_match() -> None:
    assert [m.name for m in _search("magelang 2").choices] == [
        "SD Negeri Magelang 2",
        "SMA Negeri 2 Magelang",
        "SMP Negeri 2 Magelang",
    ]
    assert [m.name for m in _search("kedungsari").choices] == [
        "Kantor Kelurahan Kedungsari",
        "SD Negeri Kedungsari 1",
    ]
    assert all(m.name != "SMP Negeri 1 Magelang" for m in _search("smp 2").matches[:1])
    assert _search("zzzz qqq").matches == ()
    assert _search("").matches == ()


def test_an_exact_name_wins_over_longer_names() -> None:
    sites = ["SD Negeri 2", "SD Negeri 2 Annex", "SD Negeri Magelang 2"]
    answer = _search("sdn 2", sites).answer
    assert answer is not None and answer.name == "SD Negeri 2" and answer.exact


def test_device_names_identify_a_site_too() -> None:
    sites = {"SMP Negeri 2 Magelang": ("acc-smpn2",), "SD Negeri Magelang 2": ("acc-sdn2",)}
    result = search("acc-smpn2", sites, lambda name: (name, *sites[name]))
    assert result.answer is not None and result.answer.name == "SMP Negeri 2 Magelang"


def test_the_query_cap_still_holds() -> None:
    hostile = " ".join(f"abcdefghij{i}" for i in range(200))
    assert len(query_words(hostile)) == MAX_QUERY_WORDS
    assert len(query_words("x" * 5000)[0]) <= 32
    many = [f"SD Negeri {i} Magelang Utara" for i in range(300)]
    started = time.process_time()
    search(hostile, many, lambda name: (name, "acc-x"))
    assert time.process_time() - started < 1.0


def test_the_words_table_is_data_and_checked(tmp_path: Path) -> None:
    table = default_rewrites()
    assert table.phrases[("sekolah", "dasar")] == ("sd",) and table.phrases[("pkm",)] == ("puskesmas",)
    good = tmp_path / "words.yaml"
    good.write_text("sd negeri: [sdn]\npuskesmas: [pkm, 'pusat kesehatan masyarakat']\n", encoding="utf-8")
    assert load_rewrites(good).longest == 3
    twice = tmp_path / "twice.yaml"
    twice.write_text("sd: [sdn]\nsd negeri: [sdn]\n", encoding="utf-8")
    with pytest.raises(SiteWordsError, match=r"twice\.yaml: entry 'sd negeri': variant 'sdn' already"):
        load_rewrites(twice)
    broken = tmp_path / "broken.yaml"
    broken.write_text("sd: sekolah dasar\n", encoding="utf-8")
    with pytest.raises(SiteWordsError, match=r"broken\.yaml: entry 'sd'"):
        load_rewrites(broken)
    with pytest.raises(SiteWordsError, match="cannot read"):
        load_rewrites(tmp_path / "missing.yaml")
