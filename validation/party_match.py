"""Match the party a document names (seller, buyer, payer) to a partner in master data.

    m = match_party(MasterDataRepository(session), kind="supplier", name="ACME Gmbh",
                    vat_id="DE 123 456 789", iban=None, email="billing@acme.de")
    m.partner_id, m.method, m.score, m.reason

Evidence is tried strongest first: exact VAT ID, exact IBAN, the sender's e-mail domain
(free-mail domains ignored), then a fuzzy name match over names and aliases with legal
forms normalised (GmbH, SARL, B.V., Ltd, ...), supported by postcode and city found in the
address.  When two partners score close together nothing is matched and the reason names
both.  The lookup structures (`PartyIndex`) are built once per active master-data version
and cached by version id, so a lookup costs dictionary hits plus one
`rapidfuzz.process.extract` over the normalised names.
"""
from __future__ import annotations

import re
import threading
import unicodedata
from collections import OrderedDict
from dataclasses import dataclass, field

from rapidfuzz import fuzz, process

from extraction.normalize import normalize_iban, normalize_vat_id
from validation.masterdata.repository import MasterDataRepository, PartnerSnapshot, partner_set

ACCEPT = 88.0            # minimum combined score for a name match
MARGIN = 4.0             # a runner-up closer than this makes the match ambiguous
POSTCODE_BONUS, CITY_BONUS = 6.0, 3.0

# Legal-form tokens (after lower-casing, accent folding and removing dots).
LEGAL_TOKENS = frozenset((
    "gmbh", "mbh", "ag", "kg", "kgaa", "ohg", "ug", "gbr", "ev", "eu", "se", "co",
    "haftungsbeschrankt", "sa", "sas", "sasu", "sarl", "eurl", "snc", "sprl", "srl", "sl",
    "slu", "spa", "sapa", "bv", "nv", "vof", "ltd", "limited", "plc", "llp", "inc",
    "incorporated", "llc", "corp", "corporation", "company", "cie", "ab", "as", "oy",
))
_JOINERS = frozenset(("and", "und", "et", "y", "e"))
FREE_MAIL = frozenset((
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "yahoo.com",
    "icloud.com", "me.com", "aol.com", "gmx.de", "gmx.net", "web.de", "t-online.de",
    "freenet.de", "orange.fr", "free.fr", "laposte.net", "wanadoo.fr", "sfr.fr",
    "yahoo.fr", "yahoo.de", "libero.it", "proton.me", "protonmail.com",
))


def fold(text: str) -> str:
    """Lower-case ASCII with accents removed."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def split_name(name: str) -> tuple[str, str]:
    """(core name, legal form) in normalised form: "Müller & Söhne GmbH & Co. KG" ->
    ("muller sohne", "gmbh co kg")."""
    s = fold(name)
    # dotted abbreviations: s.a.r.l -> sarl, g.m.b.h. -> gmbh, co. -> co
    s = re.sub(r"\b(?:[a-z]{1,2}\.)+[a-z]{0,2}(?![a-z])\.?",
               lambda m: m.group(0).replace(".", ""), s)
    tokens = [t for t in re.split(r"[^a-z0-9]+", s) if t and t not in _JOINERS]
    core = [t for t in tokens if t not in LEGAL_TOKENS]
    legal = [t for t in tokens if t in LEGAL_TOKENS]
    if not core:                                          # a name made only of legal words
        return " ".join(tokens), ""
    return " ".join(core), " ".join(legal)


def _sorted_tokens(core: str) -> str:
    return " ".join(sorted(core.split()))


def email_domain(email: str | None) -> str | None:
    if not email or "@" not in email:
        return None
    m = re.search(r"@([A-Za-z0-9.\-]+)", email)
    return m.group(1).lower().strip(".") if m else None


@dataclass
class Candidate:
    partner_id: int
    number: str
    name: str
    score: float                 # 0..100


@dataclass
class PartyMatch:
    partner_id: int | None
    score: float                 # 0..1
    method: str                  # vat | iban | email_domain | name | name+address | none
    candidates: list[Candidate] = field(default_factory=list)
    reason: str = ""
    number: str | None = None
    name: str | None = None
    active: bool = True
    conflict: bool = False       # exact evidence and the name point at different partners

    @property
    def matched(self) -> bool:
        return self.partner_id is not None


class PartyIndex:
    """In-memory lookup structures over the partners of one kind and version."""

    def __init__(self, kind: str, partners: list[PartnerSnapshot]) -> None:
        self.kind = kind
        self.partners = {p.id: p for p in partners}
        self.by_vat: dict[str, list[int]] = {}
        self.by_iban: dict[str, list[int]] = {}
        self.by_domain: dict[str, list[int]] = {}
        self.choices: list[str] = []           # normalised core names and aliases
        self.sorted_choices: list[str] = []    # the same with tokens sorted
        self.owner: list[int] = []             # choice index -> partner id
        self.legal: dict[int, str] = {}
        self.postcode: dict[int, str] = {}
        self.city: dict[int, str] = {}
        for p in partners:
            if p.vat_id:
                vat = normalize_vat_id(p.vat_id) or p.vat_id
                self.by_vat.setdefault(vat, []).append(p.id)
                if vat[:2].isalpha():
                    self.by_vat.setdefault(vat[2:], []).append(p.id)
            for iban in p.ibans:
                self.by_iban.setdefault(normalize_iban(iban) or iban, []).append(p.id)
            for d in p.email_domains:
                self.by_domain.setdefault(d.lower(), []).append(p.id)
            core, legal = split_name(p.name)
            self.legal[p.id] = legal
            for n in {core, *(split_name(a)[0] for a in p.aliases)}:
                if n:
                    self.choices.append(n)
                    self.sorted_choices.append(_sorted_tokens(n))
                    self.owner.append(p.id)
            if p.postcode:
                self.postcode[p.id] = re.sub(r"\s", "", p.postcode.upper())
            if p.city:
                self.city[p.id] = fold(p.city)
        self._cache: OrderedDict[tuple[str, str], list[tuple[int, float, bool]]] = OrderedDict()

    # ---- scoring -------------------------------------------------------------------
    def _address_bonus(self, pid: int, address: str) -> float:
        bonus = 0.0
        pc = self.postcode.get(pid)
        if pc and pc in re.sub(r"\s", "", address.upper()):
            bonus += POSTCODE_BONUS
        city = self.city.get(pid)
        if city and fuzz.partial_ratio(city, fold(address)) >= 90:
            bonus += CITY_BONUS
        return bonus

    def name_scores(self, name: str, address: str | None) -> list[tuple[int, float, bool]]:
        """[(partner id, score 0..100+, address helped)] best first, one entry per partner."""
        key = (name, address or "")
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        core, legal = split_name(name)
        best: dict[int, float] = {}
        if core:
            # ratio over token-sorted strings == token_sort_ratio, without re-sorting choices
            for _, sort_score, idx in process.extract(
                    _sorted_tokens(core), self.sorted_choices, scorer=fuzz.ratio,
                    processor=None, limit=12, score_cutoff=60):
                pid = self.owner[idx]
                s = 0.5 * fuzz.ratio(core, self.choices[idx]) + 0.5 * sort_score
                if legal and self.legal.get(pid):
                    s += 2.0 if legal == self.legal[pid] else -6.0
                best[pid] = max(best.get(pid, 0.0), s)
        out = []
        for pid, s in best.items():
            bonus = self._address_bonus(pid, address) if address else 0.0
            out.append((pid, s + bonus, bonus > 0))
        out.sort(key=lambda t: -t[1])
        self._cache[key] = out
        if len(self._cache) > 20_000:
            self._cache.popitem(last=False)
        return out

    def _cand(self, pid: int, score: float) -> Candidate:
        p = self.partners[pid]
        return Candidate(pid, p.number, p.name, round(min(score, 100.0), 1))

    def _result(self, pid: int, score: float, method: str, reason: str,
                cands: list[Candidate]) -> PartyMatch:
        p = self.partners[pid]
        return PartyMatch(pid, round(min(score, 100.0) / 100, 3), method, cands[:3], reason,
                          p.number, p.name, p.active)

    # ---- matching ------------------------------------------------------------------
    def _exact(self, ids: list[int], method: str, label: str, value: str, name: str | None,
               address: str | None) -> PartyMatch:
        ids = list(dict.fromkeys(ids))
        named = self.name_scores(name, address) if name else []
        scored = {pid: s for pid, s, _ in named}
        if named and named[0][0] not in ids and named[0][1] >= ACCEPT and all(
                scored.get(i, 0.0) < ACCEPT - 20 for i in ids):
            other, mine = self._cand(named[0][0], named[0][1]), self._cand(ids[0], 100)
            return PartyMatch(None, 0.0, method, [mine, other], f"conflict: {label} {value} "
                              f"belongs to {mine.number} {mine.name}, but the name {name!r} "
                              f"is {other.number} {other.name}", conflict=True)
        if len(ids) == 1:
            return self._result(ids[0], 100.0, method, f"{label} {value}", [self._cand(ids[0], 100)])
        ranked = sorted(ids, key=lambda i: -scored.get(i, 0.0))
        cands = [self._cand(i, scored.get(i, 0.0)) for i in ranked]
        top, second = (scored.get(i, 0.0) for i in ranked[:2])
        if top >= ACCEPT - 10 and top - second >= MARGIN:
            return self._result(ranked[0], 99.0, method,
                                f"{label} {value} (shared by {len(ids)} partners; name decided)",
                                cands)
        return PartyMatch(None, 0.0, method, cands[:3],
                          f"ambiguous: {label} {value} belongs to {len(ids)} partners "
                          f"({', '.join(c.number for c in cands[:3])}) and the name does not "
                          f"decide")

    def match(self, *, name: str | None = None, address: str | None = None,
              vat_id: str | None = None, iban: str | None = None,
              email: str | None = None) -> PartyMatch:
        vat = normalize_vat_id(vat_id) if vat_id else None
        if vat and (vat in self.by_vat or vat[2:] in self.by_vat and vat[:2].isalpha()):
            ids = self.by_vat.get(vat) or self.by_vat[vat[2:]]
            return self._exact(ids, "vat", "VAT ID", vat, name, address)
        ib = normalize_iban(iban) if iban else None
        if ib and ib in self.by_iban:
            return self._exact(self.by_iban[ib], "iban", "IBAN", ib, name, address)
        dom = email_domain(email)
        if dom and dom not in FREE_MAIL:
            parts = dom.split(".")
            for i in range(len(parts) - 1):             # mail.acme.de -> acme.de
                d = ".".join(parts[i:])
                if d in self.by_domain:
                    return self._exact(self.by_domain[d], "email_domain", "e-mail domain", d,
                                       name, address)
        if not name or not name.strip():
            return PartyMatch(None, 0.0, "none", [], "no VAT ID, IBAN, e-mail domain or name "
                                                     "to search with")
        scored = self.name_scores(name, address)
        cands = [self._cand(pid, s) for pid, s, _ in scored[:3]]
        if not scored or scored[0][1] < ACCEPT:
            best = f"; closest: {cands[0].name} ({cands[0].score:.0f})" if cands else ""
            return PartyMatch(None, round((scored[0][1] if scored else 0) / 100, 3), "none",
                              cands, f"no {self.kind} name close to {name!r}{best}")
        pid, score, helped = scored[0]
        if len(scored) > 1 and score - scored[1][1] < MARGIN:
            return PartyMatch(None, round(min(score, 100) / 100, 3), "none", cands,
                              f"ambiguous: {name!r} matches {cands[0].number} {cands[0].name} "
                              f"({cands[0].score:.0f}) and {cands[1].number} {cands[1].name} "
                              f"({cands[1].score:.0f}) about equally")
        method = "name+address" if helped else "name"
        how = "name and address" if helped else "name"
        return self._result(pid, score, method, f"{how} {name!r} (score {score:.0f})", cands)


_CACHE: OrderedDict[tuple[object, ...], PartyIndex] = OrderedDict()
_LOCK = threading.Lock()


def party_index(repo: MasterDataRepository, kind: str) -> PartyIndex | None:
    """The cached index of the active partners of ``kind``; None without master data."""
    pset = partner_set(kind)
    stamp = repo.version_stamp(pset)
    if stamp is None:
        return None
    key = (pset, *stamp)
    with _LOCK:
        idx = _CACHE.get(key)
        if idx is None:
            idx = PartyIndex(pset[:-1], repo.partner_snapshots(pset))
            _CACHE[key] = idx
            while len(_CACHE) > 8:
                _CACHE.popitem(last=False)
        return idx


def match_party(repo: MasterDataRepository, *, name: str | None, address: str | None = None,
                vat_id: str | None = None, iban: str | None = None, email: str | None = None,
                kind: str) -> PartyMatch:
    """Match one party against the active ``kind`` ("customer"/"supplier") master data."""
    idx = party_index(repo, kind)
    if idx is None:
        return PartyMatch(None, 0.0, "none", [], f"no {partner_set(kind)} master data imported")
    return idx.match(name=name, address=address, vat_id=vat_id, iban=iban, email=email)
