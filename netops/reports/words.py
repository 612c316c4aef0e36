"""The PDF's words in English and Bahasa Indonesia (the CSV and JSON keep English column names)."""

from __future__ import annotations

WORDS: dict[str, dict[str, str]] = {
    "title": {"en": "Network availability report", "id": "Laporan ketersediaan jaringan"},
    "period": {"en": "Period", "id": "Periode"},
    "measured_until": {"en": "measured until", "id": "diukur sampai"},
    "filters": {"en": "Selection", "id": "Pilihan"},
    "all_sites": {"en": "all sites", "id": "semua lokasi"},
    "summary": {"en": "Summary", "id": "Ringkasan"},
    "sites": {"en": "Sites", "id": "Lokasi"},
    "outages": {"en": "Outages", "id": "Gangguan"},
    "downtime": {"en": "Downtime (min)", "id": "Waktu putus (menit)"},
    "planned": {"en": "Planned (min)", "id": "Terencana (menit)"},
    "availability": {"en": "Availability %", "id": "Ketersediaan %"},
    "by_district": {"en": "By district", "id": "Per kecamatan"},
    "by_kind": {"en": "By site kind", "id": "Per jenis lokasi"},
    "by_agency": {"en": "By agency", "id": "Per instansi"},
    "district": {"en": "District", "id": "Kecamatan"},
    "kind": {"en": "Kind", "id": "Jenis"},
    "agency": {"en": "Agency", "id": "Instansi"},
    "site": {"en": "Site", "id": "Lokasi"},
    "worst": {"en": "The ten sites with the most downtime",
              "id": "Sepuluh lokasi dengan waktu putus terlama"},
    "none": {"en": "No downtime in this period.", "id": "Tidak ada waktu putus pada periode ini."},
    "chart": {"en": "Availability per district (%)", "id": "Ketersediaan per kecamatan (%)"},
    "cause_title": {"en": "Downtime by cause (min); own site: the site's own equipment or power",
                    "id": "Waktu putus menurut penyebab (menit); lokasi sendiri: perangkat atau listrik "
                          "lokasi itu sendiri"},
    "fiber": {"en": "City fiber", "id": "Fiber kota"},
    "switch": {"en": "City switch", "id": "Switch kota"},
    "own": {"en": "Own site", "id": "Lokasi sendiri"},
    "unknown": {"en": "Unknown", "id": "Tidak diketahui"},
    "outage_list": {"en": "Outages", "id": "Daftar gangguan"},
    "start": {"en": "Start", "id": "Mulai"},
    "end": {"en": "End", "id": "Selesai"},
    "open": {"en": "still open", "id": "masih berlangsung"},
    "cause": {"en": "Root cause", "id": "Akar penyebab"},
    "in_period": {"en": "In period (min)", "id": "Dalam periode (menit)"},
    "yes_planned": {"en": "planned", "id": "terencana"},
    "planned_works": {"en": "Planned works (excluded)", "id": "Pekerjaan terencana (tidak dihitung)"},
    "reason": {"en": "Reason", "id": "Alasan"},
    "when": {"en": "When", "id": "Waktu"},
    "generated": {"en": "Generated", "id": "Dibuat"},
    "page": {"en": "Page", "id": "Halaman"},
    "note": {"en": "Availability = 1 - downtime / (period - planned works). Planned works are listed and "
                   "excluded; overlapping outages of a site count once.",
             "id": "Ketersediaan = 1 - waktu putus / (periode - pekerjaan terencana). Pekerjaan terencana "
                   "dicantumkan dan tidak dihitung; gangguan yang tumpang tindih di satu lokasi "
                   "dihitung sekali."},
}

LANGS = ("en", "id")


def word(key: str, lang: str) -> str:
    entry = WORDS[key]
    return entry.get(lang) or entry["en"]
