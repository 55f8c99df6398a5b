#!/usr/bin/env python3
"""Promise benchmark: real promise-api + promise-manager processes over
RabbitMQ on a real MariaDB / PostgreSQL database, filled in bulk.

    python bench/run.py --db mysql --hosts 1000 --leases 10000
    python bench/run.py --db postgresql --quick
    python bench/run.py --db mysql --sizes 1000:10000,10000:100000

For every size (H hosts, L existing leases) it creates a fresh database
``promise_bench_<random>``, migrates it with ``promise-db-manage``, inserts
the hosts and leases (whole-host and instance-slot leases) directly
(multi-row INSERTs, not API calls), starts one
promise-api and two promise-managers (noauth, own RPC topic) and measures:

* ``create``: POST /v1/leases, one physical:host reservation (min=max=1),
  sequential, p50/p95/max;
* ``create_filtered``: the same with a resource_properties query, which
  makes the engine read every free host;
* ``list_admin`` / ``list_project``: GET /v1/leases?limit=100 as an admin
  (all projects) and as a member (own project);
* ``show``: GET /v1/leases/{id};
* ``create_instance``: POST /v1/leases, one virtual:instance reservation
  (2 slots of 2 vCPU / 4 GB / 20 GB); the decision needs no Nova;
* ``capacity_hosts`` / ``capacity_instance``: GET /v1/capacity over the
  next 30 days, for whole hosts and for the instance shape;
* ``engine`` / ``engine_filtered`` / ``engine_instance``:
  promise.plugins.hosts.allocation.choose and
  promise.plugins.instances.slots.choose inside one transaction in this
  process (rolled back);
* ``engine_capacity_hosts`` / ``engine_capacity_instance``: the capacity
  timelines (promise.engine.capacity) alone, in this process;
* ``sustained``: creates/s with 2 managers and --clients concurrent
  clients for --seconds.

Ratios are against ``bench/baseline.json`` (same database and size) when it
holds a stored run, and against the smallest size of this run otherwise.
The database, the RabbitMQ queues and the processes are removed afterwards.

The work is done in ``bench/benchlib/`` (see its ``__init__``); this file
is the entry point.
"""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
# Promise itself (promise.tests.functional.fixtures) and benchlib, also
# when this file is run from elsewhere.
for path in (REPO, HERE):
    if path not in sys.path:
        sys.path.insert(0, path)

from benchlib import cli  # noqa: E402

if __name__ == '__main__':
    sys.exit(cli.main(description=__doc__.split('\n')[0]))
