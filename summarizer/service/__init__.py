"""The HTTP service: the app and its routes, the guard, request bodies, batch jobs kept in SQLite."""
