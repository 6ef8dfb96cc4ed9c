"""Asking models: one structured call, the chain and its fallback, the local server, the answer cache, the prompts."""
