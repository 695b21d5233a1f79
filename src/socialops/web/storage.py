"""Static files storage of a production install (SOCIALOPS_STATIC_MANIFEST=1, docs/deploy.md)."""

from __future__ import annotations

from django.contrib.staticfiles.storage import HashedFilesMixin
from whitenoise.storage import CompressedManifestStaticFilesStorage


def _without_source_maps(patterns: tuple) -> tuple:  # type: ignore[type-arg]
    return tuple(
        (glob, tuple(p for p in rules if "sourceMappingURL" not in (p[0] if isinstance(p, tuple) else p)))
        for glob, rules in patterns
    )


class ManifestStaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files whose references to source maps are left alone.

    The vendor files copied from npm (Swagger UI, …) name source maps that are not shipped;
    Django's manifest storage would fail collectstatic on each. url() and @import references are
    still rewritten to the hashed names.
    """

    patterns = _without_source_maps(HashedFilesMixin.patterns)
