"""Which carrier issued a tracking number? Ranked guesses from its format and check digit (pure).

`detect(number)` is pure (no I/O). It never answers with one confident carrier when the format
is shared: every matching rule adds its carriers, and a carrier keeps its best score.

Confidence bands:
- >= 0.8: a distinctive format whose published check digit is right (UPS 1Z, UPU S10, IMpb
  94…/420+ZIP, FedEx 96…/100… 34);
- 0.5-0.8: a right check digit on a format other carriers share (12-, 15-, 20-digit
  numbers, 92… IMpb also printed by FedEx/UPS/DHL eCommerce consolidators), or a distinctive
  prefix without a published check digit (GM…, TBA…, 6A…);
- < 0.5: format only, or a wrong check digit (its score is cut to 30%, so never >= 0.8).

Never confidently wrong: a candidate whose only match is a failing check digit is ranked after
every candidate whose check passed or whose format has no check (`check_failed`), whatever the
scores: a 12-digit DHL Paket number failing FedEx's check is not FedEx first.

Sources of the formats added for issue 15: GS1 General Specifications (SSCC: extension digit, GS1
company prefix, mod-10 check; AI `00` prints it as 20 digits) and DHL's developer portal sandbox
numbers (`00340434…`, also typed as their 18 digits `340434…` or printed `(00) 3404 …`). DHL Paket
is `deutsche-post`: DHL's Unified API tracks these SSCCs as service `parcel-de`, which the DHL
adapter and the tracker's DHL source name `deutsche-post` (and canonical_carrier maps 17TRACK's and
AfterShip's "DHL Paket" / "DHL Germany" to it): one slug, one shipment key. Australia Post's
Shipping and Tracking API reference (eParcel article ids such as `7XX1000634011427`: merchant
location id of 3 + 13 digits; `33XXX0123456` consignments and their 23-character article ids); UPU
S10's service indicators for France (E: EMS, which Chronopost operates for La Poste; C: Colissimo
international parcels; R, L, V, U: La Poste letters and small packets).

Issue 17: Canada Post's 16-digit PIN (mod 10, weights 3/1), YunExpress `YT` + 16 digits and
4PX `4PX…CN` (distinctive prefixes without check digits), PostNL's `3S` barcodes (customer code +
serial; PostNL's SDK examples), Mondial Relay's 8-digit expedition numbers (format only). GLS
numbers (11-12 digits) share their formats with DHL Express, FedEx and Aramex without a
published check digit: no rule, the merchant names the carrier. Royal Mail, Canada Post,
Australia Post and PostNL's international items are UPU S10 (S10_OPERATORS).

Check digits, as published in jkeen/tracking_number_data (CHECKSUM_ALGORITHMS.md and
couriers/*.json), the UPU S10 standard and USPS Publication 199 (IMpb): see `mod10`,
`mod11_fedex`, `s10_check_digit`, `mod7` and `mod37_36`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

HIGH_CONFIDENCE = 0.8
WRONG_CHECK_FACTOR = 0.3

Carriers = tuple[tuple[str, float], ...]
_Check = Callable[[str], bool]


@dataclass(frozen=True, slots=True)
class Candidate:
    carrier: str  # a Suivi slug (`suivi_schemas.canonical_carrier`)
    confidence: float  # in (0, 1]
    reason: str
    service: str | None = None
    check_failed: bool = False  # its format matched only with a wrong check digit


# ---- check digits -------------------------------------------------------------------------


def _value(ch: str) -> int:
    """Digits are themselves; UPS letters count (ord - 3) mod 10 (A=2, B=3, ... Z=7)."""
    return int(ch) if ch.isdigit() else (ord(ch) - 3) % 10


def mod10(payload: str, weights: tuple[int, ...] = (3, 1)) -> int:
    """Weighted sum, weights applied from the rightmost character; check = (10 - sum) mod 10.
    USPS IMpb, FedEx Ground, GS1: (3, 1). UPS 1Z and OnTrac: (1, 2) and (2, 1)."""
    total = sum(_value(c) * weights[i % len(weights)] for i, c in enumerate(reversed(payload)))
    return (10 - total % 10) % 10


def mod11_fedex(payload: str) -> int:
    """FedEx Express: weights 1, 3, 7 from the rightmost digit, sum mod 11 mod 10."""
    return sum(int(c) * (1, 3, 7)[i % 3] for i, c in enumerate(reversed(payload))) % 11 % 10


def s10_check_digit(serial: str) -> int:
    """UPU S10: weights 8,6,4,2,3,5,9,7; 11 - sum mod 11, where 10 -> 0 and 11 -> 5."""
    check = 11 - sum(int(c) * w for c, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True)) % 11
    return {10: 0, 11: 5}.get(check, check)


def mod7(payload: str) -> int:
    return int(payload) % 7


def mod37_36(payload: str) -> str:
    """ISO 7064 MOD 37,36 (DPD parcel label specification)."""
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    cd = 36
    for ch in payload:
        cd = (cd + alphabet.index(ch)) % 36 or 36
        cd *= 2
        if cd > 36:
            cd -= 37
    cd = (37 - cd) % 36
    return alphabet[cd]


def _last(check: Callable[[str], int | str], prefix: str = "", start: int = 0) -> _Check:
    """A check on the last character, computed over `prefix + number[start:-1]`."""
    return lambda n: str(check(prefix + n[start:-1])) == n[-1]


def impb_bodies(number: str) -> list[str]:
    """The IMpb tracking number(s) inside `number`: a 420+ZIP5/ZIP9 routing prefix is dropped."""
    if not number.startswith("420"):
        return [number]
    return [number[p:] for p in (12, 8) if len(number) - p in (22, 26)]


def _impb_ok(number: str) -> bool:
    return any(_last(mod10, "", 0)(b) for b in impb_bodies(number) if re.match("9[1-5]", b))


def _impb_carriers(number: str) -> Carriers:
    bodies = [b for b in impb_bodies(number) if re.match("9[1-5]", b)]
    body = next((b for b in bodies if _last(mod10, "", 0)(b)), bodies[0] if bodies else "")
    if body[:2] in ("92", "93"):  # also printed by FedEx SmartPost, UPS SurePost, DHL eCommerce
        return (("usps", 0.65), ("fedex", 0.35), ("ups", 0.2), ("dhl-ecommerce", 0.2))
    return (("usps", 0.85),)


# ---- UPU S10: XX 12345678 C CC -------------------------------------------------------------

S10_OPERATORS: dict[str, Carriers] = {
    "US": (("usps", 0.9),),
    "GB": (("royal-mail", 0.9),),
    "DE": (("deutsche-post", 0.9),),
    "CN": (("china-post", 0.9),),
    "JP": (("japan-post", 0.9),),
    "CA": (("canada-post", 0.9),),
    "AU": (("australia-post", 0.9),),
    "NL": (("postnl", 0.9),),
    "HK": (("hongkong-post", 0.9),),
    "SG": (("singapore-post", 0.9),),
    "CH": (("swiss-post", 0.9),),
    "IT": (("poste-italiane", 0.9),),
    "ES": (("correos", 0.9),),
    "BE": (("bpost", 0.9),),
    "FR": (("laposte", 0.85),),
}
# Service indicator's first letter → a different operator for the same country.
S10_BY_SERVICE: dict[tuple[str, str], Carriers] = {
    ("FR", "C"): (("laposte", 0.9),),  # Colissimo International parcels (La Poste's brand)
    ("FR", "E"): (("chronopost", 0.85), ("laposte", 0.4)),  # EMS France is Chronopost
    ("FR", "R"): (("laposte", 0.9),),  # registered letters
    ("FR", "L"): (("laposte", 0.9),),  # tracked letters and small packets
    ("FR", "V"): (("laposte", 0.9),),  # insured letters
    ("FR", "U"): (("laposte", 0.85),),
    ("CN", "E"): (("china-ems", 0.85), ("china-post", 0.6)),
}


def _s10_carriers(number: str) -> Carriers:
    country = number[-2:]
    return S10_BY_SERVICE.get((country, number[0]), S10_OPERATORS.get(country, ()))


# ---- the table ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Rule:
    pattern: str  # matched against the whole normalised number
    service: str
    carriers: Carriers | Callable[[str], Carriers]
    check: _Check | None = None  # None: no published check digit
    note: str = ""  # why other carriers share the format


_S10 = r"[A-Z]{2}\d{9}[A-Z]{2}"
RULES: tuple[Rule, ...] = (
    Rule(r"1Z[A-Z0-9]{16}", "UPS 1Z", (("ups", 0.95),), _last(lambda p: mod10(p, (1, 2)), "", 2)),
    Rule(r"80\d{16}", "UPS Mail Innovations", (("ups", 0.45),)),
    Rule(
        _S10,
        "UPU S10",
        _s10_carriers,
        lambda n: str(s10_check_digit(n[2:10])) == n[10],
    ),
    Rule(
        r"(420(\d{5}|\d{9}))?9[1-5](\d{20}|\d{24})",
        "USPS IMpb",
        _impb_carriers,
        _impb_ok,
        "92.../93... ones are also printed by FedEx SmartPost, UPS SurePost, DHL eCommerce",
    ),
    Rule(r"\d{20}", "USPS 20-digit", (("usps", 0.6),), _last(mod10)),
    Rule(r"\d{20}", "USPS IMpb without 91", (("usps", 0.5),), _last(mod10, "91")),
    Rule(
        r"\d{20}",
        "FedEx SmartPost 20-digit",
        (("fedex", 0.55),),
        _last(mod10, "92"),
        "USPS legacy numbers are 20 digits too",
    ),
    Rule(
        r"\d{12}",
        "FedEx Express",
        (("fedex", 0.7),),
        _last(mod11_fedex),
        "DHL Paket and Purolator numbers are 12 digits too",
    ),
    # Above a failed FedEx check (0.7 x 0.3), below a passing one: never confidently FedEx.
    Rule(
        r"\d{12}",
        "DHL Paket / Purolator 12-digit",
        (("deutsche-post", 0.25), ("purolator", 0.1)),
    ),
    Rule(r"\d{15}", "FedEx Ground", (("fedex", 0.6),), _last(mod10)),
    Rule(r"96\d{20}", "FedEx Ground 96", (("fedex", 0.85),), _last(mod10, "", 7)),
    Rule(r"100\d{31}", "FedEx Express 34", (("fedex", 0.85),), _last(mod11_fedex, "", 20)),
    Rule(r"96\d{32}", "FedEx Ground GSN", (("fedex", 0.85),), _last(mod11_fedex, "", 20)),
    Rule(r"0[0-4]\d{16}", "SSCC-18 (FedEx Ground)", (("fedex", 0.4),), _last(mod10)),
    Rule(
        r"00340434\d{12}",
        "DHL Paket SSCC (AI 00, GS1 prefix 40434)",
        (("deutsche-post", 0.8), ("dhl-ecommerce", 0.5), ("dhl", 0.4)),
        _last(mod10, "", 2),
        "DHL eCommerce's European networks print the same SSCCs",
    ),
    Rule(
        r"340434\d{12}",
        "DHL Paket SSCC without its AI 00",
        (("deutsche-post", 0.75), ("dhl-ecommerce", 0.45)),
        _last(mod10),
        "the 18 digits of an SSCC as typed without the (00) printed before them",
    ),
    Rule(r"00\d{18}", "SSCC with AI 00", (("deutsche-post", 0.3),), _last(mod10, "", 2)),
    Rule(
        r"(?=[0-9A-Z]{0,2}[A-Z])[0-9A-Z]{3}\d{13}",
        "Australia Post eParcel",
        (("australia-post", 0.45),),
    ),
    Rule(
        r"33(?=\d{0,2}[A-Z])[0-9A-Z]{3}\d{7}(\d{11})?",
        "Australia Post consignment / article",
        (("australia-post", 0.6),),
    ),
    Rule(r"\d{10}", "DHL Express", (("dhl", 0.7),), _last(mod7)),
    Rule(r"\d{11}", "DHL Express", (("dhl", 0.6),), _last(mod7)),
    Rule(r"\d{11}", "Aramex waybill", (("aramex", 0.25),)),
    Rule(r"J[A-Z]{2,3}\d{9,}", "DHL Express piece ID", (("dhl", 0.6),)),
    Rule(r"GM\d{16,18}", "DHL eCommerce", (("dhl-ecommerce", 0.7),)),
    Rule(r"(LX|RX|UV|CN|SG|TH|IN|HK|MY)\d{10,39}", "DHL eCommerce", (("dhl-ecommerce", 0.5),)),
    Rule(r"[5-9][A-Z]\d{11}", "Colissimo", (("laposte", 0.6),)),
    Rule(r"[1-4][A-Z]\d{11}", "La Poste letter", (("laposte", 0.6),)),
    Rule(r"\d[A-Z]\d{9,10}", "La Poste (short)", (("laposte", 0.3),)),
    Rule(r"TBA\d{12}", "Amazon Logistics", (("amazon", 0.7),)),
    Rule(r"C\d{14}", "OnTrac C", (("ontrac", 0.7),), _last(lambda p: mod10(p, (2, 1)), "4", 1)),
    Rule(r"D\d{14}", "OnTrac D", (("ontrac", 0.7),), _last(lambda p: mod10(p, (2, 1)), "5", 1)),
    Rule(r"LP\d{14,16}", "Cainiao", (("cainiao", 0.6),)),
    Rule(r"\d{14}", "DPD parcel number", (("dpd", 0.4),)),
    Rule(r"\d{14}[0-9A-Z]", "DPD parcel number + check", (("dpd", 0.55),), _last(mod37_36)),
    Rule(r"\d{27}[0-9A-Z]", "DPD 28-character", (("dpd", 0.85),), _last(mod37_36)),
    # Issue 17's carriers. Canada Post's 16-digit PIN: mod 10, weights 3/1 (jkeen's
    # canadapost.json); digits only, so kept under the high band.
    Rule(r"\d{16}", "Canada Post 16-digit PIN", (("canada-post", 0.75),), _last(mod10)),
    Rule(r"YT\d{16}", "YunExpress YT", (("yunexpress", 0.75),)),  # jkeen's yunexpress.json
    Rule(r"4PX\d{13,16}CN", "4PX order", (("4px", 0.75),)),
    Rule(r"3S[A-Z]{4}\d{6,11}", "PostNL 3S barcode", (("postnl", 0.75),)),  # PostNL's SDK
    # Mondial Relay's 8-digit expedition number: nothing else is 8 digits, nothing proves it.
    Rule(r"\d{8}", "Mondial Relay expedition", (("mondial-relay", 0.3),)),
)
_COMPILED = tuple((re.compile(rule.pattern), rule) for rule in RULES)
_CLEAN = re.compile(r"[\s\-./()]+")  # "(00) 3404 3416 …": GS1's AI in brackets, as printed
_VALID = re.compile(r"[A-Z0-9]{8,40}")


def normalize_number(number: str) -> str:
    """Drop spaces, dashes, dots, slashes and brackets; upper-case; NFKC (full-width digits)."""
    return _CLEAN.sub("", unicodedata.normalize("NFKC", number)).upper()


def detect(number: str) -> list[Candidate]:
    """Candidate carriers for `number`, best first; [] when no known format matches."""
    n = normalize_number(number)
    if not _VALID.fullmatch(n):
        return []
    best: dict[str, Candidate] = {}
    for regex, rule in _COMPILED:
        if not regex.fullmatch(n):
            continue
        carriers = rule.carriers(n) if callable(rule.carriers) else rule.carriers
        failed = rule.check is not None and not rule.check(n)
        if rule.check is None:
            factor, how = 1.0, "format only, no published check digit"
        elif not failed:
            factor, how = 1.0, "check digit valid"
        else:
            factor, how = WRONG_CHECK_FACTOR, "format matches but the check digit is wrong"
        reason = f"{rule.service}: {how}" + (f"; {rule.note}" if rule.note else "")
        for carrier, score in carriers:
            found = Candidate(carrier, round(score * factor, 3), reason, rule.service, failed)
            kept = best.get(carrier)
            if kept is None or _rank(found) < _rank(kept):
                best[carrier] = found
    return sorted(best.values(), key=_rank)


def _rank(candidate: Candidate) -> tuple[bool, float, str]:
    """A failed check digit after every passing or check-less match, then by confidence."""
    return candidate.check_failed, -candidate.confidence, candidate.carrier
