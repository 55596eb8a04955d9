"""Vietnamese phone numbers. Parents type them every way (0912 345 678, +84 912345678,
84912345678); we store one form, the national one with its leading 0, so that a login, an import
and an SMS all find the same person."""

import re

_DIGITS = re.compile(r"\d+")
# Mobile and landline numbers: 0 + 9 or 10 digits once the country code is folded in.
_NATIONAL = re.compile(r"0\d{9,10}")


def normalize_phone(raw: str) -> str | None:
    """Return the national form ("0912345678") or None when `raw` is not a Vietnamese number."""
    if not raw:
        return None
    text = raw.strip()
    if re.search(r"[^\d\s().+\-]", text):
        return None
    digits = "".join(_DIGITS.findall(text))
    if text.startswith("+84") or (digits.startswith("84") and len(digits) in (11, 12)):
        digits = "0" + digits[2:]
    if _NATIONAL.fullmatch(digits):
        return digits
    return None
