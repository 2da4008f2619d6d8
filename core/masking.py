"""Masking of citizens' personal data. Masked is the default everywhere; a full reveal is an audited action."""


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳娜娜 → 欧阳**: the surname stays (two characters for a compound surname)."""
    name = name.strip()
    if not name:
        return ""
    keep = 2 if len(name) >= 4 else 1
    return name[:keep] + "*" * (len(name) - keep)


def mask_phone(phone: str) -> str:
    """13812345678 → 138****5678; other numbers keep their first three and last four digits at most."""
    digits = "".join(ch for ch in phone if ch.isdigit())
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if not digits:
        return ""
    if len(digits) <= 4:
        return "*" * len(digits)
    if len(digits) <= 7:
        return digits[:1] + "*" * (len(digits) - 3) + digits[-2:]
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]


def mask_id_number(id_number: str) -> str:
    """A resident ID number keeps its first four and last four characters: 5227**********123X."""
    value = id_number.strip().upper()
    if not value:
        return ""
    if len(value) <= 8:
        return value[:1] + "*" * (len(value) - 1)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]
