"""Engines that run a corpus: the local worker pool (auditor.runner) and Dask (dask_engine)."""
