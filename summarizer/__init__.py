"""summarizer: schema-validated, source-grounded briefs from (Vietnamese) news articles."""

__version__ = "0.1.0"
