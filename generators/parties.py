"""Fake but plausible trading parties and products.

Companies get a name built from common surnames and generic trade words (never a real
company), a postal address, an e-mail domain, a VAT ID with correct check digits, an IBAN
with correct mod-97 check digits (and national check digits where stdnum checks them:
FR RIB key, ES CCC, BE), and customer / supplier numbers.  Products have a SKU, a
description in English, German and French, a unit and a price.
"""
from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from stdnum.es import ccc as _es_ccc
from stdnum.iso7064 import mod_11_10
from stdnum import luhn

from generators.formats import money

COUNTRIES = ("DE", "FR", "GB", "US", "AT", "NL", "BE", "IT", "ES")

COUNTRY_NAMES: dict[str, dict[str, str]] = {
    "DE": {"en": "Germany", "de": "Deutschland", "fr": "Allemagne"},
    "FR": {"en": "France", "de": "Frankreich", "fr": "France"},
    "GB": {"en": "United Kingdom", "de": "Vereinigtes Königreich", "fr": "Royaume-Uni"},
    "US": {"en": "USA", "de": "USA", "fr": "États-Unis"},
    "AT": {"en": "Austria", "de": "Österreich", "fr": "Autriche"},
    "NL": {"en": "Netherlands", "de": "Niederlande", "fr": "Pays-Bas"},
    "BE": {"en": "Belgium", "de": "Belgien", "fr": "Belgique"},
    "IT": {"en": "Italy", "de": "Italien", "fr": "Italie"},
    "ES": {"en": "Spain", "de": "Spanien", "fr": "Espagne"},
}
CURRENCY = {"GB": "GBP", "US": "USD"}                      # everyone else: EUR
LANGUAGE = {"DE": "de", "AT": "de", "FR": "fr", "BE": "fr"}  # everyone else: en
TAX_RATES: dict[str, tuple[str, ...]] = {
    "DE": ("19", "7"), "AT": ("20", "10"), "FR": ("20", "5.5"), "GB": ("20", "5"),
    "NL": ("21", "9"), "BE": ("21", "6"), "IT": ("22", "10"), "ES": ("21", "10"),
    "US": ("7.25", "8.25", "6.5"),
}
TLD = {"GB": "co.uk", "US": "com"}

_SURNAMES = {
    "DE": ("Brenner", "Kessler", "Vogt", "Lindner", "Hartmann", "Böhm", "Krüger", "Seidel"),
    "AT": ("Huber", "Gruber", "Pichler", "Moser", "Steiner", "Leitner", "Wimmer"),
    "FR": ("Durand", "Lefèvre", "Moreau", "Girard", "Bonnet", "Rousseau", "Fournier"),
    "BE": ("Peeters", "Janssens", "Maes", "Dubois", "Lambert", "Wouters", "Claes"),
    "GB": ("Ashford", "Whitmore", "Pemberton", "Hollis", "Carver", "Bramley", "Thornton"),
    "US": ("Redfield", "Calloway", "Hargrove", "Whitlock", "Danforth", "Merriman"),
    "NL": ("van Dijk", "de Bruin", "Visser", "Bakker", "Smit", "Mulder", "de Graaf"),
    "IT": ("Rossi", "Bianchi", "Colombo", "Ferrari", "Galli", "Conti", "Marchetti"),
    "ES": ("García", "Navarro", "Romero", "Torres", "Molina", "Ortega", "Delgado"),
}
_TRADES = {
    "de": ("Feinmechanik", "Metallbau", "Verpackung", "Elektrotechnik", "Werkzeugbau",
           "Industriebedarf", "Kunststofftechnik", "Logistik"),
    "fr": ("Emballages", "Mécanique", "Fournitures", "Électricité", "Outillage",
           "Équipements", "Plastiques", "Transports"),
    "en": ("Components", "Supply", "Engineering", "Packaging", "Industrial", "Tooling",
           "Fasteners", "Logistics"),
}
_LEGAL = {
    "DE": ("GmbH", "GmbH & Co. KG", "AG", "KG"), "AT": ("GmbH", "KG", "e.U."),
    "FR": ("SAS", "SARL", "SA"), "BE": ("SA", "SPRL", "SRL"), "GB": ("Ltd", "Ltd.", "PLC"),
    "US": ("Inc.", "LLC", "Corp."), "NL": ("B.V.", "N.V."), "IT": ("S.r.l.", "S.p.A."),
    "ES": ("S.L.", "S.A."),
}
_STREETS = {
    "DE": ("Hauptstraße", "Industriestraße", "Gartenweg", "Lindenallee", "Mühlenstraße"),
    "AT": ("Hauptplatz", "Gewerbestraße", "Bahnhofstraße", "Kirchengasse", "Feldweg"),
    "FR": ("rue de la Gare", "avenue Jean Jaurès", "rue des Artisans", "boulevard Victor Hugo"),
    "BE": ("rue de l'Industrie", "avenue Louise", "rue du Commerce", "chaussée de Namur"),
    "GB": ("High Street", "Station Road", "Mill Lane", "Church Road", "Victoria Street"),
    "US": ("Main Street", "Oak Avenue", "Industrial Parkway", "Commerce Drive"),
    "NL": ("Kerkstraat", "Industrieweg", "Molenweg", "Stationsplein", "Havenstraat"),
    "IT": ("Via Roma", "Via Garibaldi", "Via dell'Industria", "Corso Italia"),
    "ES": ("Calle Mayor", "Avenida de la Industria", "Calle del Sol", "Paseo del Prado"),
}
# (postcode pattern, city); pattern: 9 = digit, A = letter, other characters literal
_CITIES = {
    "DE": (("99999", "Berlin"), ("99999", "Köln"), ("99999", "Nürnberg"), ("99999", "Bremen")),
    "AT": (("9999", "Wien"), ("9999", "Graz"), ("9999", "Linz"), ("9999", "Salzburg")),
    "FR": (("99999", "Lyon"), ("99999", "Nantes"), ("99999", "Orléans"), ("99999", "Lille")),
    "BE": (("9999", "Liège"), ("9999", "Namur"), ("9999", "Bruxelles"), ("9999", "Mons")),
    "GB": (("AA9 9AA", "Leeds"), ("AA9 9AA", "Bristol"), ("A9 9AA", "Manchester")),
    "US": (("OH 99999", "Columbus"), ("TX 99999", "Austin"), ("WI 99999", "Madison")),
    "NL": (("9999 AA", "Utrecht"), ("9999 AA", "Eindhoven"), ("9999 AA", "Tilburg")),
    "IT": (("99999", "Milano"), ("99999", "Torino"), ("99999", "Bologna")),
    "ES": (("99999", "Madrid"), ("99999", "Valencia"), ("99999", "Zaragoza")),
}
_BE_BANKS = ("001", "068", "363", "731", "850")


@dataclass
class Party:
    """A company that sends or receives documents."""

    name: str
    country: str
    street: str
    postcode: str
    city: str
    email: str
    vat_id: str | None           # compact, upper-case; None where there is no VAT (US)
    iban: str | None             # compact, upper-case; None for US companies
    bic: str | None
    customer_number: str         # this party's number in its suppliers' books
    supplier_number: str         # this party's number in its customers' books
    phone: str = ""

    @property
    def currency(self) -> str:
        return CURRENCY.get(self.country, "EUR")

    @property
    def lang(self) -> str:
        return LANGUAGE.get(self.country, "en")

    def address_lines(self, lang: str) -> list[str]:
        """Street, postcode + city, country name in ``lang``."""
        if self.country == "US":
            city = f"{self.city}, {self.postcode}"
        elif self.country == "GB":
            city = f"{self.city} {self.postcode}"
        else:
            city = f"{self.postcode} {self.city}"
        return [self.street, city, COUNTRY_NAMES[self.country][lang]]

    def address(self, lang: str) -> str:
        """Canonical one-line address: the printed lines joined by ``", "``."""
        return ", ".join(self.address_lines(lang))


@dataclass(frozen=True)
class Product:
    """A catalogue item."""

    sku: str
    descriptions: dict[str, str]     # lang -> text
    unit: str                        # unit key, see UNITS
    price: Decimal
    fractional: bool = False         # quantities like 1.5 make sense

    def description(self, lang: str) -> str:
        return self.descriptions[lang]


UNITS: dict[str, dict[str, str]] = {
    "pcs": {"en": "pcs", "de": "Stk", "fr": "pce"},
    "kg": {"en": "kg", "de": "kg", "fr": "kg"},
    "m": {"en": "m", "de": "m", "fr": "m"},
    "h": {"en": "h", "de": "Std", "fr": "h"},
    "box": {"en": "box", "de": "Karton", "fr": "carton"},
    "set": {"en": "set", "de": "Satz", "fr": "lot"},
    "l": {"en": "l", "de": "l", "fr": "l"},
}

# (en, de, fr, unit, min price, max price, fractional, variants); "{v}" takes a variant
_CATALOGUE: tuple[tuple[str, str, str, str, int, int, bool, tuple[str, ...]], ...] = (
    ("Hex bolt {v}, zinc plated", "Sechskantschraube {v}, verzinkt",
     "Vis hexagonale {v}, zinguée", "box", 8, 40, False, ("M6x20", "M8x40", "M10x60")),
    ("Ball bearing {v}", "Kugellager {v}", "Roulement à billes {v}", "pcs", 3, 60, False,
     ("6204-2RS", "6305-ZZ", "608-2Z")),
    ("Steel sheet {v}", "Stahlblech {v}", "Tôle d'acier {v}", "kg", 2, 9, True,
     ("1.5 mm", "2 mm", "3 mm")),
    ("Copper cable {v}", "Kupferkabel {v}", "Câble cuivre {v}", "m", 1, 12, True,
     ("3x1.5", "5x2.5", "3x2.5")),
    ("Cardboard box {v}", "Faltkarton {v}", "Carton pliant {v}", "pcs", 1, 4, False,
     ("40x30x20", "60x40x40", "30x20x15")),
    ("Safety gloves size {v}", "Schutzhandschuhe Gr. {v}", "Gants de sécurité T. {v}",
     "set", 4, 25, False, ("8", "9", "10", "XL")),
    ("Hydraulic oil {v}", "Hydrauliköl {v}", "Huile hydraulique {v}", "l", 3, 15, True,
     ("HLP 32", "HLP 46", "HLP 68")),
    ("Service technician {v}", "Servicetechniker {v}", "Technicien de maintenance {v}",
     "h", 55, 120, True, ("L1", "L2", "L3")),
    ("Pallet wrap film {v}", "Palettenstretchfolie {v}", "Film étirable {v}", "pcs", 9, 30,
     False, ("500 mm", "450 mm")),
    ("Cable ties {v}, black", "Kabelbinder {v}, schwarz", "Colliers {v}, noirs", "box", 3,
     18, False, ("4.8x200", "3.6x140", "7.6x300")),
    ("Aluminium profile {v}", "Aluminiumprofil {v}", "Profilé aluminium {v}", "m", 6, 45,
     True, ("30x30", "40x40", "45x90")),
    ("Sealing ring {v}", "Dichtring {v}", "Joint torique {v}", "pcs", 1, 9, False,
     ("25x3", "40x3.5", "18x2")),
)


def _pattern(rng: random.Random, pattern: str) -> str:
    out = []
    for ch in pattern:
        if ch == "9":
            out.append(str(rng.randint(1 if not out else 0, 9)))
        elif ch == "A":
            out.append(rng.choice("ABCDEFGHJKLMNPRSTUWXY"))
        else:
            out.append(ch)
    return "".join(out)


def _digits(rng: random.Random, n: int, first_nonzero: bool = True) -> str:
    head = str(rng.randint(1, 9)) if first_nonzero else str(rng.randint(0, 9))
    return head + "".join(str(rng.randint(0, 9)) for _ in range(n - 1))


def make_vat_id(rng: random.Random, country: str) -> str | None:
    """A VAT ID with correct check digits (compact, with country prefix)."""
    if country == "DE":
        body = _digits(rng, 8)
        return "DE" + body + mod_11_10.calc_check_digit(body)
    if country == "FR":
        base = _digits(rng, 8)
        siren = base + luhn.calc_check_digit(base)
        return f"FR{(12 + 3 * (int(siren) % 97)) % 97:02d}{siren}"
    if country == "GB":
        body = str(rng.randint(100, 999)) + _digits(rng, 4, first_nonzero=False)
        total = sum(w * int(d) for w, d in zip((8, 7, 6, 5, 4, 3, 2), body))
        return f"GB{body}{(-total) % 97:02d}"
    if country == "NL":
        while True:
            head = _digits(rng, 8)
            check = sum((9 - i) * int(d) for i, d in enumerate(head)) % 11
            if check < 10:
                return f"NL{head}{check}B{rng.randint(1, 3):02d}"
    if country == "AT":
        body = "U" + _digits(rng, 7)
        from stdnum.at import uid
        return "AT" + body + uid.calc_check_digit(body)
    if country == "BE":
        head = "0" + _digits(rng, 7)
        return f"BE{head}{97 - int(head) % 97:02d}"
    if country == "IT":
        body = _digits(rng, 7) + f"{rng.randint(1, 100):03d}"
        return "IT" + body + luhn.calc_check_digit(body)
    if country == "ES":
        body = "B" + _digits(rng, 7)
        from stdnum.es import cif
        return "ES" + body + cif.calc_check_digits(body)[0]
    return None   # US: no VAT


def iban_check_digits(country: str, bban: str) -> str:
    """ISO 13616 mod-97 check digits for ``country`` + ``bban``."""
    rearranged = bban + country + "00"
    numeric = "".join(str(int(ch, 36)) for ch in rearranged)
    return f"{98 - int(numeric) % 97:02d}"


def make_iban(rng: random.Random, country: str) -> str | None:
    """A structurally valid IBAN (correct BBAN layout and check digits)."""
    if country == "DE":
        bban = _digits(rng, 8) + _digits(rng, 10, False)
    elif country == "AT":
        bban = _digits(rng, 5) + _digits(rng, 11, False)
    elif country == "FR":
        bank, branch, acct = _digits(rng, 5), _digits(rng, 5), _digits(rng, 11, False)
        key = 97 - (89 * int(bank) + 15 * int(branch) + 3 * int(acct)) % 97
        bban = f"{bank}{branch}{acct}{key:02d}"
    elif country == "GB":
        bban = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(4))
        bban += _digits(rng, 6) + _digits(rng, 8, False)
    elif country == "NL":
        bban = "".join(rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(4))
        bban += _digits(rng, 10, False)
    elif country == "BE":
        head = rng.choice(_BE_BANKS) + _digits(rng, 7, False)
        bban = f"{head}{int(head) % 97 or 97:02d}"
    elif country == "IT":
        bban = rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") + _digits(rng, 5) + _digits(rng, 5)
        bban += _digits(rng, 12, False)
    elif country == "ES":
        raw = _digits(rng, 4) + _digits(rng, 4) + "00" + _digits(rng, 10, False)
        bban = raw[:8] + _es_ccc.calc_check_digits(raw) + raw[10:]
    else:
        return None
    return country + iban_check_digits(country, bban) + bban


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", plain.lower()).strip("-")


def make_party(rng: random.Random, country: str | None = None) -> Party:
    """A fake company in ``country`` (random country when None)."""
    cc = country or rng.choice(COUNTRIES)
    lang = LANGUAGE.get(cc, "en")
    s1, s2 = rng.sample(_SURNAMES[cc], 2)
    trade = rng.choice(_TRADES[lang])
    legal = rng.choice(_LEGAL[cc])
    shape = rng.randrange(3)
    if shape == 0:
        core = f"{s1} {trade}"
    elif shape == 1:
        core = f"{s1} & {s2}"
    else:
        core = f"{trade} {s1}" if lang != "en" else f"{s1} {s2} {trade}"
    name = f"{core} {legal}"
    if cc == "US":
        street = f"{rng.randint(100, 9999)} {rng.choice(_STREETS[cc])}"
    elif cc in ("GB",):
        street = f"{rng.randint(1, 180)} {rng.choice(_STREETS[cc])}"
    elif cc in ("FR", "BE"):
        street = f"{rng.randint(1, 120)} {rng.choice(_STREETS[cc])}"
    else:
        street = f"{rng.choice(_STREETS[cc])} {rng.randint(1, 120)}"
    pattern, city = rng.choice(_CITIES[cc])
    postcode = _pattern(rng, pattern)
    domain = f"{_slug(s1 if shape != 1 else s1 + s2)}-{_slug(trade)}.{TLD.get(cc, cc.lower())}"
    iban = make_iban(rng, cc)
    bic = None
    if iban:
        bic = "".join(rng.choice("ABCDEFGHKLMNPRSTUVWXZ") for _ in range(4)) + cc + rng.choice(
            ("FF", "MM", "2X", "22")) + rng.choice(("", "XXX"))
    return Party(
        name=name, country=cc, street=street, postcode=postcode, city=city,
        email=f"{rng.choice(('accounts', 'billing', 'orders', 'info', 'ap'))}@{domain}",
        vat_id=make_vat_id(rng, cc), iban=iban, bic=bic,
        customer_number=f"{rng.choice(('K', 'C', 'CU', 'D'))}{rng.randint(10000, 99999)}",
        supplier_number=f"{rng.choice(('L', 'S', 'V', 'SUP'))}{rng.randint(1000, 99999)}",
        phone=f"+{_PHONE[cc]} {rng.randint(10, 99)} {rng.randint(100000, 9999999)}",
    )


_PHONE = {"DE": 49, "AT": 43, "FR": 33, "BE": 32, "GB": 44, "US": 1, "NL": 31, "IT": 39,
          "ES": 34}


def make_products(rng: random.Random, count: int = 30) -> list[Product]:
    """A catalogue of ``count`` products with unique SKUs."""
    prefix = "".join(rng.choice("ABCDEFGHKLMNPRSTUVW") for _ in range(rng.choice((2, 3))))
    sep = rng.choice(("-", "", "."))
    skus: set[str] = set()
    out: list[Product] = []
    while len(out) < count:
        en, de, fr, unit, lo, hi, frac, variants = rng.choice(_CATALOGUE)
        v = rng.choice(variants)
        sku = f"{prefix}{sep}{rng.randint(1000, 99999)}"
        if sku in skus:
            continue
        skus.add(sku)
        cents = rng.randint(lo * 100, hi * 100)
        out.append(Product(
            sku=sku,
            descriptions={"en": en.replace("{v}", v), "de": de.replace("{v}", v),
                          "fr": fr.replace("{v}", v)},
            unit=unit, price=money(Decimal(cents) / 100), fractional=frac,
        ))
    return out


@dataclass
class World:
    """A consistent little economy: one "home" company, its customers and suppliers."""

    home: Party
    customers: list[Party] = field(default_factory=list)
    suppliers: list[Party] = field(default_factory=list)
    products: list[Product] = field(default_factory=list)


def make_world(seed: int, n_customers: int = 12, n_suppliers: int = 12) -> World:
    """The parties and catalogue shared by every document of a corpus."""
    rng = random.Random(seed)
    home = make_party(rng, "DE")
    order = list(COUNTRIES)          # every country (hence language) is represented
    rng.shuffle(order)
    return World(
        home=home,
        customers=[make_party(rng, order[i % len(order)]) for i in range(n_customers)],
        suppliers=[make_party(rng, order[(i + 4) % len(order)]) for i in range(n_suppliers)],
        products=make_products(rng, 40),
    )
