"""Pure text checks (no Django): Advertising Law terms, term lists, platform rules, links, ad disclosure.

Every check returns ``Finding``s (see ``findings.py``); the Django layer stores the workspace's
lists, calls these functions and renders ``Finding.message_code`` in the user's language.
"""

from .adlaw import AdLawChecker, AdLawTerm
from .disclosure import check_disclosure
from .findings import MESSAGES, SEVERITIES, Finding, render_message, sort_findings
from .links import LinkStatus, check_reachability, check_urls, find_urls, reachability_findings
from .platform_rules import RULES as PLATFORM_RULES
from .platform_rules import check_platform, count_text, get_rules
from .terms import BannedTerm, BrandChecker, BrandRule, SensitiveChecker, TermList, load_terms

__all__ = [
    "MESSAGES",
    "PLATFORM_RULES",
    "SEVERITIES",
    "AdLawChecker",
    "AdLawTerm",
    "BannedTerm",
    "BrandChecker",
    "BrandRule",
    "Finding",
    "LinkStatus",
    "SensitiveChecker",
    "TermList",
    "check_disclosure",
    "check_platform",
    "check_reachability",
    "check_urls",
    "count_text",
    "find_urls",
    "get_rules",
    "load_terms",
    "reachability_findings",
    "render_message",
    "sort_findings",
]
