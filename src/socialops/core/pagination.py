"""API list paging, set for every list in settings.NINJA_PAGINATION_CLASS."""

from ninja import Field
from ninja.pagination import LimitOffsetPagination


class BoundedLimitOffsetPagination(LimitOffsetPagination):
    """limit/offset paging with a ceiling on the offset.

    ninja's default accepts any integer, and an offset beyond 64 bits makes the database fail
    instead of answering 422.
    """

    class Input(LimitOffsetPagination.Input):
        offset: int = Field(0, ge=0, le=10**9)
