"""API list paging, set for every list in settings.NINJA_PAGINATION_CLASS."""

from collections.abc import Callable
from typing import Any

from ninja import Field
from ninja.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """limit/offset paging with a ceiling on the offset.

    ninja's default accepts any integer, and an offset beyond 64 bits makes the database fail
    instead of answering 422.
    """

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=10**9)


class MappedPage:
    """A queryset for @paginate whose objects are converted only for the page it slices out."""

    def __init__(self, queryset: Any, convert: Callable[[Any], Any]) -> None:
        self.queryset = queryset
        self.convert = convert

    def __len__(self) -> int:
        return int(self.queryset.count())

    def __getitem__(self, index: slice) -> list[Any]:
        return [self.convert(obj) for obj in self.queryset[index]]
