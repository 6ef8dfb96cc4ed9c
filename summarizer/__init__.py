"""summarizer: schema-validated, source-grounded bilingual briefs, fact records and filled forms from news articles.

    >>> import summarizer
    >>> brief = summarizer.brief("seeds/000_25d47c26562bab5c.txt", models=["local"])
    >>> filled = summarizer.fill("seeds/000_25d47c26562bab5c.txt", "schemas/forms/ward_party_profile.json")
    >>> summarizer.verify(brief.article.text, [{"value": 327, "unit": "đảng viên", "quote": "327 đảng viên"}])

The API is imported on first use, so `import summarizer` (and the command line's `--help`) stays fast.
"""

__version__ = "0.1.0"

from summarizer.errors import (  # noqa: E402  (after __version__, which the modules below read)
    ArticleError,
    CacheError,
    ConfigError,
    FormError,
    LocalModelError,
    ModelCallError,
    ModelError,
    NoValidAnswer,
    SummarizerError,
)

__all__ = [
    "__version__",
    "brief",
    "abrief",
    "fill",
    "afill",
    "verify",
    "SummarizerError",
    "ArticleError",
    "FormError",
    "ConfigError",
    "CacheError",
    "ModelError",
    "ModelCallError",
    "LocalModelError",
    "NoValidAnswer",
]

_API = ("brief", "abrief", "fill", "afill", "verify")  # in summarizer/api.py, imported on first use


def __getattr__(name: str):
    if name in _API:
        from summarizer import api

        return getattr(api, name)
    raise AttributeError(f"module 'summarizer' has no attribute {name!r}")
