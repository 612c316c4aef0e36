"""Site kinds from names: the built-in rules on real Magelang-like names, and strict rule files."""

from __future__ import annotations

from pathlib import Path

import pytest

from inventory.site_kinds import KindRulesError, load_rules

NAMES = [
    # schools (Bahasa Indonesia: SD/SMP/SMA/SMK, madrasah MI/MTs/MA, SLB, with or without "Negeri")
    ("SD Negeri Magelang 1", "school"),
    ("SDN 2 Cacaban", "school"),
    ("sdn2-cacaban", "school"),
    ("SD Muhammadiyah Sudagaran", "school"),
    ("SDIT Ihsanul Fikri", "school"),
    ("SMP Negeri 5 Magelang", "school"),
    ("SMPN 1 Kota Magelang", "school"),
    ("SMA Negeri 3 Magelang", "school"),
    ("SMAN 1 Magelang", "school"),
    ("SMK Negeri 1 Magelang", "school"),
    ("SMKN 3 Magelang", "school"),
    ("MI Muhammadiyah Cacaban", "school"),
    ("MIN Kota Magelang", "school"),
    ("MTs Negeri 1 Magelang", "school"),
    ("MTsN Kota Magelang", "school"),
    ("MA Negeri Kota Magelang", "school"),
    ("MAN 1 Magelang", "school"),
    ("SLB Negeri Kota Magelang", "school"),
    ("Sekolah Dasar Kristen Indriyasana", "school"),
    ("TK Pertiwi Rejowinangun", "school"),
    ("Central Primary School", "school"),
    # health
    ("Puskesmas Magelang Utara", "health"),
    ("Puskesmas Kecamatan Magelang Selatan", "health"),  # a health centre, not the district office
    ("UPT Puskesmas Jurangombo", "health"),
    ("RSUD Tidar", "health"),
    ("Rumah Sakit Jiwa Prof. Dr. Soerojo", "health"),
    ("RS Tentara dr. Soedjono", "health"),
    ("Klinik Pratama Kota Magelang", "health"),
    ("City Hospital", "health"),
    # district: kecamatan and kelurahan offices, villages
    ("Kecamatan Magelang Utara", "district"),
    ("Kec. Magelang Tengah", "district"),
    ("Kantor Camat Magelang Selatan", "district"),
    ("Kelurahan Cacaban", "district"),
    ("Kantor Lurah Rejowinangun Utara", "district"),
    ("Balai Desa Sukorejo", "district"),
    ("Sub-district office Magelang North", "district"),
    # agencies (OPD)
    ("Dinas Komunikasi dan Informatika", "agency"),
    ("Dinas Pendidikan dan Kebudayaan", "agency"),  # no school word: the agency
    ("Dinas Kesehatan", "agency"),  # no health word: the agency
    ("Badan Perencanaan Pembangunan Daerah", "agency"),
    ("Sekretariat DPRD Kota Magelang", "agency"),
    ("Inspektorat Kota Magelang", "agency"),
    ("Kantor Satpol PP", "agency"),
    ("Bagian Umum Setda", "agency"),
    ("Bappeda", "agency"),
    ("Disdukcapil Kota Magelang", "agency"),
    ("Department of Public Works", "agency"),
    # core
    ("Balai Kota Magelang", "core"),
    ("Balai Kota Magelang, ruang server", "core"),
    ("balai-kota", "core"),
    ("Command Center Dinas Kominfo", "core"),  # the core, though a Dinas houses it
    ("NOC Diskominfo", "core"),
    ("City Hall", "core"),
    # nothing: words inside other words do not count
    ("Mall Armada Town Square", None),
    ("Jl. Diponegoro No. 1", None),
    ("Manggis", None),  # MA inside a word
    ("Sdnx", None),
    ("Desain Grafis", None),  # "Desa" inside a word
    ("Kelapa Gading", None),  # "Kel" inside a word
    ("Gudang Barang", None),
]


@pytest.mark.parametrize(("name", "kind"), NAMES)
def test_built_in_rules_on_magelang_names(name: str, kind: str | None) -> None:
    assert load_rules().infer(name) == kind


def test_no_rule_is_other() -> None:
    assert load_rules().kind_of("Gudang Barang") == "other"


def test_a_rules_file_of_ones_own(tmp_path: Path) -> None:
    path = tmp_path / "kinds.yaml"
    path.write_text("rules:\n  - {kind: school, words: [Pondok Pesantren, Ponpes]}\n", encoding="utf-8")
    rules = load_rules(path)
    assert rules.infer("Pondok  Pesantren Al-Iman") == "school"
    assert rules.infer("ponpes-al-iman") == "school"
    assert rules.infer("SD Negeri 1") is None  # only this file's rules


@pytest.mark.parametrize(("text", "message"), [
    ("rules:\n  - {kind: hospital, words: [RS]}\n",
     "kinds.yaml: rules[0].kind: 'hospital' is not a site kind"),
    ("rules:\n  - {kind: health, words: []}\n", "kinds.yaml: rules[0].words: expected a list of words"),
    ("rules:\n  - {kind: health, words: [RS, '  ']}\n", "kinds.yaml: rules[0].words[1]: expected a word"),
    ("rules:\n  - {kind: health, word: [RS]}\n", "kinds.yaml: rules[0]: unknown key 'word'"),
    ("kinds: []\n", "kinds.yaml: expected one key, rules"),
    ("rules: [\n", "kinds.yaml: invalid YAML"),
])
def test_a_bad_rules_file_is_named_with_the_place(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "kinds.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KindRulesError) as err:
        load_rules(path)
    assert str(err.value).startswith(message) or message in str(err.value)


def test_a_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(KindRulesError, match="cannot read"):
        load_rules(tmp_path / "absent.yaml")
