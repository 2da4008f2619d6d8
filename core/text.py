"""Checks of free text typed by people: length, and no markup (it is stored and shown as plain text)."""

import re

MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|&#?\w+;|javascript:", re.IGNORECASE)


def plain_text(value: str, *, max_length: int, required: bool = True) -> str:
    """The text stripped, or ValueError with a Chinese reason the API and forms show beside the field."""
    value = value.strip()
    if required and not value:
        raise ValueError("不能为空")
    if len(value) > max_length:
        raise ValueError(f"不能超过{max_length}字（现为{len(value)}字）")
    if MARKUP.search(value):
        raise ValueError("不能包含HTML标记或脚本")
    if any(ord(ch) < 32 and ch not in "\n\r\t" for ch in value):
        raise ValueError("包含不可见的控制字符")
    return value
