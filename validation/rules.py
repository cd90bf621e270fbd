"""Routing rules: which failed checks force review, which only warn, the confidence
threshold per field and the matching tolerances - per document type and per partner.

The rules live in a YAML file (see ``validation/rules.example.yaml``)::

    version: 1
    defaults:   {min_confidence: 0.9, field_confidence: {...}, review: [...], warn: [...],
                 tolerances: {...}, options: {...}}
    doc_types:  {invoice: {<same keys>}, ...}
    partners:   {S-00042: {<same keys>, doc_types: {invoice: {<same keys>}}}}

The effective `RuleSet` of a document is built by layering built-in defaults, the file's
``defaults``, ``doc_types.<type>``, ``partners.<number>`` and
``partners.<number>.doc_types.<type>``: maps (``field_confidence``, ``tolerances``,
``options``) are merged key by key, lists (``review``, ``warn``) are unioned.  Check codes
in ``review``/``warn`` may be globs (``arithmetic.*``).  A code in ``review`` wins over
``warn``; codes in `NEVER_WAIVED` (unknown/ambiguous/blocked partner) always force review.

`load_rules(path)` validates the whole file and raises `ConfigError` naming the offending
key; `RulesStore` reloads the file when its mtime changes (a broken edit is logged and the
previous rules stay active).  `configure_rules(path)` installs the process-wide store that
`current_rules()` reads; without it the built-in defaults apply.
"""
from __future__ import annotations

import fnmatch
import threading
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any


from core.errors import ConfigError
from core.yamlfile import read_yaml
from core.logs import get_logger

log = get_logger(__name__)

NEVER_WAIVED = frozenset(("partner.unknown", "partner.conflict", "partner.inactive",
                          "partner.unverified"))
DOC_TYPES = ("invoice", "credit_note", "purchase_order", "remittance", "other")

DEFAULT_TOLERANCES: dict[str, Decimal] = {
    "amount_abs": Decimal("0.02"),          # net + tax = gross, lines = net
    "line_pct": Decimal("1.0"),             # quantity x price = line total (percent)
    "line_abs": Decimal("0.05"),
    "tax_rate_abs": Decimal("0.6"),         # effective vs. standard/reduced rate (points)
    "price_pct": Decimal("0.5"),            # document price vs. PO / price list
    "price_abs": Decimal("0.01"),
    "quantity_pct": Decimal("0"),           # invoiced vs. ordered / received quantity
    "quantity_abs": Decimal("0"),
    "duplicate_window_days": Decimal("7"),  # same amount + supplier within this many days
    "payment_terms_days": Decimal("3"),     # due date earlier than terms by more than this
    "delivery_max_days": Decimal("365"),    # requested delivery at most this long after order
    "future_days": Decimal("1"),            # issue date may be this many days ahead
    "cash_amount_abs": Decimal("0.01"),     # remittance line vs. open amount
    "cash_min_confidence": Decimal("0.9"),  # auto-apply a remittance line from this confidence
    "cash_fuzzy_min": Decimal("85"),        # rapidfuzz score for OCR-typo invoice numbers
    "discount_grace_days": Decimal("3"),    # early-payment discount taken this late is ok
}
DEFAULT_OPTIONS: dict[str, bool] = {
    "three_way": True,            # invoices against a PO need goods receipts
    "require_po": False,          # a supplier invoice without PO forces review
    "require_masterdata": True,   # no matched partner (e.g. no master data) forces review
    "price_list_check": True,     # invoices without PO: prices vs. the price list
}
DEFAULT_WARN = ("dates.due_terms", "credit_note.unlinked", "cash.deduction",
                "cash.discount", "matching.no_po", "tax.rate_unknown_country",
                "sales.delivery_date")
SECTION_KEYS = ("min_confidence", "field_confidence", "review", "warn", "tolerances",
                "options")


@dataclass(frozen=True)
class RuleSet:
    """The effective rules for one document type and partner."""

    min_confidence: float = 0.90
    field_confidence: dict[str, float] = field(default_factory=dict)
    review: tuple[str, ...] = ()
    warn: tuple[str, ...] = DEFAULT_WARN
    tolerances: dict[str, Decimal] = field(default_factory=lambda: dict(DEFAULT_TOLERANCES))
    options: dict[str, bool] = field(default_factory=lambda: dict(DEFAULT_OPTIONS))

    def threshold(self, field_name: str) -> float:
        """Minimum confidence for ``field_name`` (line fields: ``lines[3].quantity`` and
        ``lines.quantity`` both look up ``lines.quantity``, then the default)."""
        if field_name in self.field_confidence:
            return self.field_confidence[field_name]
        if field_name.startswith("lines["):
            generic = "lines." + field_name.split(".", 1)[-1]
            if generic in self.field_confidence:
                return self.field_confidence[generic]
        return self.min_confidence

    def tol(self, name: str) -> Decimal:
        return self.tolerances.get(name, DEFAULT_TOLERANCES.get(name, Decimal(0)))

    def option(self, name: str) -> bool:
        return bool(self.options.get(name, DEFAULT_OPTIONS.get(name, False)))

    def forces_review(self, code: str, default_blocking: bool = True) -> bool:
        """Does a *failed* check with ``code`` force review under these rules?"""
        if code in NEVER_WAIVED or _matches(code, self.review):
            return True
        if _matches(code, self.warn):
            return False
        return default_blocking

    def layered(self, section: dict[str, Any]) -> RuleSet:
        """A new RuleSet with a (validated) section laid over this one."""
        return RuleSet(
            min_confidence=float(section.get("min_confidence", self.min_confidence)),
            field_confidence={**self.field_confidence, **section.get("field_confidence", {})},
            review=tuple(dict.fromkeys((*self.review, *section.get("review", ())))),
            warn=tuple(dict.fromkeys((*self.warn, *section.get("warn", ())))),
            tolerances={**self.tolerances, **section.get("tolerances", {})},
            options={**self.options, **section.get("options", {})})


def _matches(code: str, patterns: tuple[str, ...]) -> bool:
    return any(code == p or fnmatch.fnmatchcase(code, p) for p in patterns)


DEFAULT_RULESET = RuleSet()


@dataclass
class Rules:
    """A validated rules file."""

    defaults: dict[str, Any] = field(default_factory=dict)
    doc_types: dict[str, dict[str, Any]] = field(default_factory=dict)
    partners: dict[str, dict[str, Any]] = field(default_factory=dict)
    source: str = "built-in defaults"

    def for_doc(self, doc_type: str | None, partner_number: str | None = None) -> RuleSet:
        rs = DEFAULT_RULESET.layered(self.defaults)
        if doc_type and doc_type in self.doc_types:
            rs = rs.layered(self.doc_types[doc_type])
        p = self.partners.get(partner_number or "") if partner_number else None
        if p:
            rs = rs.layered(p)
            if doc_type and doc_type in p.get("doc_types", {}):
                rs = rs.layered(p["doc_types"][doc_type])
        return rs


DEFAULT_RULES = Rules()


# ------------------------------------------------------------------ validation
def _fail(src: str, key: str, msg: str) -> ConfigError:
    return ConfigError(f"routing rules {src}: {key}: {msg}")


def _section(src: str, key: str, raw: Any, allow_doc_types: bool) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(src, key, f"expected a mapping, got {type(raw).__name__}")
    allowed = SECTION_KEYS + (("doc_types",) if allow_doc_types else ())
    out: dict[str, Any] = {}
    for k, v in raw.items():
        path = f"{key}.{k}"
        if k not in allowed:
            raise _fail(src, path, f"unknown key; allowed: {', '.join(allowed)}")
        if k == "min_confidence":
            out[k] = _confidence(src, path, v)
        elif k == "field_confidence":
            if not isinstance(v, dict):
                raise _fail(src, path, "expected a mapping of field name -> confidence")
            out[k] = {str(f): _confidence(src, f"{path}.{f}", c) for f, c in v.items()}
        elif k in ("review", "warn"):
            if isinstance(v, str):
                v = [v]
            if not isinstance(v, list) or not all(isinstance(c, str) and c for c in v):
                raise _fail(src, path, "expected a list of check codes (globs allowed)")
            out[k] = tuple(v)
        elif k == "tolerances":
            if not isinstance(v, dict):
                raise _fail(src, path, "expected a mapping of tolerance name -> number")
            tol: dict[str, Decimal] = {}
            for t, n in v.items():
                if t not in DEFAULT_TOLERANCES:
                    raise _fail(src, f"{path}.{t}", "unknown tolerance; known: "
                                + ", ".join(DEFAULT_TOLERANCES))
                try:
                    d = Decimal(str(n))
                except InvalidOperation:
                    d = Decimal(-1)
                if isinstance(n, bool) or not d.is_finite() or d < 0:
                    raise _fail(src, f"{path}.{t}", f"expected a number >= 0, got {n!r}")
                tol[t] = d
            out[k] = tol
        elif k == "options":
            if not isinstance(v, dict):
                raise _fail(src, path, "expected a mapping of option -> true/false")
            for o, b in v.items():
                if o not in DEFAULT_OPTIONS:
                    raise _fail(src, f"{path}.{o}", "unknown option; known: "
                                + ", ".join(DEFAULT_OPTIONS))
                if not isinstance(b, bool):
                    raise _fail(src, f"{path}.{o}", f"expected true or false, got {b!r}")
            out[k] = dict(v)
        elif k == "doc_types":
            out[k] = _doc_types(src, path, v)
    return out


def _doc_types(src: str, key: str, raw: Any) -> dict[str, dict[str, Any]]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise _fail(src, key, "expected a mapping of document type -> rules")
    out = {}
    for t, sec in raw.items():
        if t not in DOC_TYPES:
            raise _fail(src, f"{key}.{t}", f"unknown document type; use one of "
                        f"{', '.join(DOC_TYPES)}")
        out[t] = _section(src, f"{key}.{t}", sec, False)
    return out


def _confidence(src: str, key: str, v: Any) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v <= 1:
        raise _fail(src, key, f"expected a confidence between 0 and 1, got {v!r}")
    return float(v)


def parse_rules(data: Any, source: str = "<memory>") -> Rules:
    """Validate an already-parsed YAML document; raises ConfigError naming the key."""
    if data is None:
        return Rules(source=source)
    if not isinstance(data, dict):
        raise _fail(source, "(top level)", "expected a mapping with defaults / doc_types / "
                    "partners")
    for k in data:
        if k not in ("version", "defaults", "doc_types", "partners"):
            raise _fail(source, str(k), "unknown key; allowed: version, defaults, "
                        "doc_types, partners")
    if data.get("version", 1) != 1:
        raise _fail(source, "version", f"unsupported version {data.get('version')!r}; use 1")
    partners_raw = data.get("partners") or {}
    if not isinstance(partners_raw, dict):
        raise _fail(source, "partners", "expected a mapping of partner number -> rules")
    return Rules(defaults=_section(source, "defaults", data.get("defaults"), False),
                 doc_types=_doc_types(source, "doc_types", data.get("doc_types")),
                 partners={str(p): _section(source, f"partners.{p}", sec, True)
                           for p, sec in partners_raw.items()},
                 source=source)


def load_rules(path: str | Path) -> Rules:
    """Read and validate a rules file; ConfigError when it is missing or invalid."""
    return parse_rules(read_yaml(path, "routing rules"), str(path))


class RulesStore:
    """A rules file, reloaded when its modification time changes."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._mtime = self._stat()
        self._rules = load_rules(self.path)        # start-up: errors propagate

    def _stat(self) -> float | None:
        try:
            return self.path.stat().st_mtime_ns
        except OSError:
            return None

    def current(self) -> Rules:
        mtime = self._stat()
        if mtime == self._mtime:
            return self._rules
        with self._lock:
            if mtime != self._mtime:
                try:
                    self._rules = load_rules(self.path)
                    log.info("routing_rules_reloaded", path=str(self.path))
                except ConfigError as exc:
                    log.error("routing_rules_invalid", path=str(self.path), error=exc.message)
                self._mtime = mtime
        return self._rules


_store: RulesStore | None = None


def configure_rules(path: str | Path | None) -> Rules:
    """Install the process-wide rules file (None: built-in defaults).  Call at entry
    points; raises ConfigError when the file is invalid."""
    global _store
    _store = RulesStore(path) if path else None
    return current_rules()


def current_rules() -> Rules:
    return _store.current() if _store is not None else DEFAULT_RULES
