"""Names and places of the default demo network (Kota Magelang, illustrative, not a real plan).

Kept as data so the generator stays small: the three kecamatan with an approximate centre,
their kelurahan, the agencies (OPD) and where they stand, health centres and schools.
"""

from __future__ import annotations

CITY_HALL = ("Balai Kota Magelang", "Jl. Sarwo Edie Wibowo No. 2", -7.4797, 110.2177)

DISTRICTS: dict[str, tuple[float, float]] = {
    "Magelang Utara": (-7.4560, 110.2185),
    "Magelang Tengah": (-7.4760, 110.2165),
    "Magelang Selatan": (-7.5010, 110.2130),
}

KELURAHAN: dict[str, tuple[str, ...]] = {
    "Magelang Utara": ("Kedungsari", "Potrobangsan", "Wates", "Kramat Utara"),
    "Magelang Tengah": ("Cacaban", "Gelangan", "Rejowinangun Utara"),
    "Magelang Selatan": ("Jurangombo Utara", "Tidar Selatan", "Magersari"),
}

# (site name, short device name, district, homed to the core?)
AGENCIES: tuple[tuple[str, str, str, bool], ...] = (
    ("Sekretariat Daerah Kota Magelang", "setda", "Magelang Tengah", True),
    ("Sekretariat DPRD Kota Magelang", "dprd", "Magelang Tengah", True),
    ("Bappeda Kota Magelang", "bappeda", "Magelang Tengah", True),
    ("Dinas Komunikasi, Informatika dan Statistik", "diskominfo", "Magelang Tengah", True),
    ("Badan Pengelolaan Keuangan dan Aset Daerah", "bpkad", "Magelang Tengah", True),
    ("Inspektorat Kota Magelang", "inspektorat", "Magelang Tengah", False),
    ("Dinas Pendidikan dan Kebudayaan", "disdikbud", "Magelang Tengah", False),
    ("Dinas Kesehatan", "dinkes", "Magelang Tengah", False),
    ("Dinas Kependudukan dan Pencatatan Sipil", "disdukcapil", "Magelang Utara", False),
    ("Dinas Pekerjaan Umum dan Penataan Ruang", "dpupr", "Magelang Selatan", False),
    ("Dinas Sosial", "dinsos", "Magelang Utara", False),
    ("Dinas Perhubungan", "dishub", "Magelang Selatan", False),
    ("Dinas Lingkungan Hidup", "dlh", "Magelang Utara", False),
    ("Dinas Penanaman Modal dan PTSP", "dpmptsp", "Magelang Tengah", False),
    ("Badan Penanggulangan Bencana Daerah", "bpbd", "Magelang Selatan", False),
    ("Satuan Polisi Pamong Praja", "satpolpp", "Magelang Tengah", False),
    ("Dinas Perpustakaan dan Kearsipan", "dispusip", "Magelang Utara", False),
)

HEALTH: tuple[tuple[str, str, str], ...] = (
    ("RSUD Tidar Kota Magelang", "rsud-tidar", "Magelang Selatan"),
    ("Puskesmas Magelang Utara", "pkm-utara", "Magelang Utara"),
    ("Puskesmas Kerkopan", "pkm-kerkopan", "Magelang Utara"),
    ("Puskesmas Magelang Tengah", "pkm-tengah", "Magelang Tengah"),
    ("Puskesmas Magelang Selatan", "pkm-selatan", "Magelang Selatan"),
    ("Puskesmas Jurangombo", "pkm-jurangombo", "Magelang Selatan"),
)

SCHOOLS: tuple[tuple[str, str, str], ...] = (
    ("SD Negeri Magelang 1", "sdn1", "Magelang Tengah"),
    ("SD Negeri Magelang 2", "sdn2", "Magelang Utara"),
    ("SD Negeri Magelang 3", "sdn3", "Magelang Selatan"),
    ("SD Negeri Kedungsari 1", "sdn-kedungsari1", "Magelang Utara"),
    ("SD Negeri Jurangombo 2", "sdn-jurangombo2", "Magelang Selatan"),
    ("SMP Negeri 1 Magelang", "smpn1", "Magelang Tengah"),
    ("SMP Negeri 2 Magelang", "smpn2", "Magelang Utara"),
    ("SMP Negeri 3 Magelang", "smpn3", "Magelang Selatan"),
    ("SMP Negeri 4 Magelang", "smpn4", "Magelang Tengah"),
    ("SMA Negeri 1 Magelang", "sman1", "Magelang Utara"),
    ("SMA Negeri 2 Magelang", "sman2", "Magelang Tengah"),
    ("SMA Negeri 3 Magelang", "sman3", "Magelang Selatan"),
    ("SMK Negeri 1 Magelang", "smkn1", "Magelang Selatan"),
)

# Sites with two fibers: (short device name, the two uplink devices).
DUAL_HOMED: dict[str, tuple[str, str]] = {
    "disdukcapil": ("core-balaikota", "dist-tengah"),
    "rsud-tidar": ("dist-selatan", "dist-tengah"),
    "dinkes": ("dist-tengah", "dist-utara"),
}

# Sites chained behind another site: (short device name, the site it hangs off).
CHAINED: dict[str, str] = {
    "sdn-kedungsari1": "kel-kedungsari",
    "sdn-jurangombo2": "kel-jurangombo-utara",
    "sdn3": "pkm-selatan",
    "smpn2": "kel-wates",
}

COPPER_ALIASES = ("AP lt.1", "AP lt.2", "PC TU", "CCTV gerbang", "printer", "absensi", "NVR", "lab komputer")
