"""Running a task over many articles: concurrency, resume, atomic writes, the run report."""
