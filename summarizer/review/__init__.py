"""Showing results to a person: the Markdown of a brief and the self-contained review page."""
