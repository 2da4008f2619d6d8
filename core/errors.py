"""Domain errors. Services raise them; the API turns each into one JSON shape, the web into a message."""

from typing import Any


class DomainError(Exception):
    """A rule of the domain refused the change; nothing was written. Answered 409 unless a subclass says."""

    status = 409

    def __init__(self, message: str, *, code: str, details: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = details


class InvalidInput(DomainError):
    """The input is well-formed but refers to something that does not exist or is not allowed."""

    status = 422


class NotFound(DomainError):
    """Absent, or present but outside the user's scope: the two are answered alike on purpose."""

    status = 404

    def __init__(self, message: str = "对象不存在", *, code: str = "not_found") -> None:
        super().__init__(message, code=code)


class Forbidden(DomainError):
    """The user can see the object but their role may not do this to it."""

    status = 403

    def __init__(self, message: str = "无权执行此操作", *, code: str = "forbidden") -> None:
        super().__init__(message, code=code)


class StaleVersion(DomainError):
    """Someone changed the object since the client read it."""

    def __init__(self, *, expected: int, actual: int) -> None:
        super().__init__(
            "该记录已被他人修改，请刷新后重试",
            code="stale_version",
            details={"expected_version": expected, "current_version": actual},
        )
