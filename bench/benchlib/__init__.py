"""The Promise benchmark behind ``bench/run.py``, one module per job.

* ``common``: paths, logging, the clock and load, timing and percentiles;
* ``seeding``: the benchmark database and its bulk-inserted hosts/leases;
* ``deployment``: the promise-api and promise-manager processes;
* ``scenarios``: the measurements through the HTTP API;
* ``engine``: the engine's decisions and timelines alone, in process;
* ``profiling``: py-spy over the services and the busy-frame summary;
* ``report``: the Markdown table, the profiles and ``baseline.json``;
* ``cli``: the command line and the run of one size.
"""
