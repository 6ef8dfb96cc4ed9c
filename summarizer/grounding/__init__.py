"""Checking what a model wrote against the article: quotes located, values verified, facts, form fields and prose."""
