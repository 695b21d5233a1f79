"""Code → sentence tables: the one way the product turns a machine code into words.

Services, checks and planners return codes with params (``{"code": "gap", "params": {...}}``);
an app's ``presenters.py`` holds a ``MessageTable`` that says them in the user's language. The
templates are lazy gettext strings, so makemessages finds them and the active language applies
at render time. Params that are themselves words (a field, a platform, a unit) are translated
by the table's ``param_words`` before the template is filled.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from django.utils.functional import Promise


class MessageTable:
    """Renders codes as sentences from lazy templates; unknown codes come back as themselves.

    Templates use ``{name}`` placeholders, or ``%(name)s`` when the text must keep gettext's
    python-format checks; a table may mix both, the template itself says which.
    """

    def __init__(
        self,
        templates: Mapping[str, Promise | str],
        *,
        param_words: Mapping[str, Callable[[Any], Any]] | None = None,
        unknown: Callable[[str, Mapping[str, Any]], str] | None = None,
    ) -> None:
        self.templates = templates
        self.param_words = dict(param_words or {})
        self.unknown = unknown

    def __contains__(self, code: object) -> bool:
        return code in self.templates

    def localize(self, params: Mapping[str, Any]) -> dict[str, Any]:
        """The params with the words among them in the active language."""
        out = dict(params)
        for name, say in self.param_words.items():
            if name in out and out[name] is not None:
                out[name] = say(out[name])
        return out

    def render(self, code: str, params: Mapping[str, Any] | None = None) -> str:
        """The sentence for ``code``; a template that cannot be filled is shown unfilled, never raises."""
        template = self.templates.get(code)
        if template is None:
            return self.unknown(code, params or {}) if self.unknown else code
        text = str(template)
        values = self.localize(params or {})
        try:
            return text % values if "%(" in text else text.format(**values)
        except (KeyError, IndexError, ValueError, TypeError):
            return text
