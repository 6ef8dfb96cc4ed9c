"""Scale-out: the same batch on many workers through Dramatiq and Redis (broker, job ledger, shared cache and pauses)."""
