"""The command line of ``bench/run.py``: its options, the sizes and request
counts they choose, the run of one size (database, seed, processes,
phases, clean-up) and the output (per-size tables on stderr, the final
table on stdout, ``--json`` and ``--save-baseline``)."""

import argparse
import random
import shutil
import signal
import sys
import tempfile
import time

from benchlib import common
from benchlib import deployment
from benchlib import engine
from benchlib import profiling
from benchlib import report
from benchlib import scenarios
from benchlib import seeding

PHASES = ('api', 'engine', 'sustained')


def parser(description):
    p = argparse.ArgumentParser(description=description)
    p.add_argument('--db', choices=('mysql', 'postgresql'), default='mysql')
    p.add_argument('--hosts', type=int, default=1000)
    p.add_argument('--leases', type=int, default=10000)
    p.add_argument('--sizes', help='H:L[,H:L...]; overrides --hosts '
                                   'and --leases')
    p.add_argument('--quick', action='store_true',
                   help='small sizes and few requests (< 2 minutes)')
    p.add_argument('--creates', type=int, default=100)
    p.add_argument('--reads', type=int, default=100)
    p.add_argument('--engine-runs', type=int, default=100)
    p.add_argument('--seconds', type=int, default=30,
                   help='length of the sustained-creates phase')
    p.add_argument('--clients', type=int, default=4)
    p.add_argument('--api-workers', type=int, default=0, metavar='N',
                   help='serve the API with gunicorn and N workers '
                        '(default: one promise-api process)')
    p.add_argument('--managers', type=int, default=2)
    p.add_argument('--seed', type=int, default=42)
    p.add_argument('--profile', type=int, default=0, metavar='N',
                   help='py-spy the api and a manager over N creates')
    p.add_argument('--save-baseline', action='store_true',
                   help='store this run in bench/baseline.json')
    p.add_argument('--json', help='write the raw results here')
    p.add_argument('--debug', action='store_true',
                   help='debug logging in the services')
    p.add_argument('--keep-logs', action='store_true')
    p.add_argument('--wait-quiet', type=float, default=0, metavar='LOAD',
                   help='before each size, wait (at most --wait-max '
                        'seconds) for the 1-minute load to drop below '
                        'LOAD')
    p.add_argument('--wait-max', type=int, default=600)
    p.add_argument('--granularity', type=int, default=60,
                   metavar='MINUTES',
                   help='seeded leases start and end on whole '
                        'MINUTES (default 60; 1 gives the most '
                        'capacity steps)')
    p.add_argument('--phases', default='api,engine,sustained',
                   help='comma-separated subset of api, engine, '
                        'sustained (default: all)')
    return p


def sizes_of(args):
    """The (hosts, leases) sizes to run, smallest first."""
    if args.sizes:
        sizes = [tuple(int(x) for x in s.split(':'))
                 for s in args.sizes.split(',')]
    elif args.quick:
        sizes = [(100, 1000), (300, 3000)]
    else:
        sizes = [(args.hosts, args.leases)]
    return sorted(sizes)


def run_size(args, hosts, leases, n_create, n_read, n_engine, seconds):
    rng = random.Random(args.seed + hosts * 7 + leases)
    if args.wait_quiet:
        common.wait_quiet(args.wait_quiet, args.wait_max)
    database = seeding.BenchDatabase(args.db)
    directory = tempfile.mkdtemp(prefix='promise-bench-')
    result = {'db': args.db, 'hosts': hosts, 'leases': leases,
              'load_before': common.load(), 'metrics': {}}
    common.log('H=%d L=%d: database %s (load %.2f)'
               % (hosts, leases, database.name, common.load()))
    database.create()
    dep = None
    try:
        dep = deployment.Deployment(database.url, directory,
                                    managers=args.managers, debug=args.debug,
                                    api_workers=args.api_workers)
        dep.db_manage()
        result['seed_s'] = seeding.seed(database.url, hosts, leases,
                                        common.utcnow(),
                                        granularity=args.granularity)
        result['granularity'] = args.granularity
        common.log('seeded in %.1fs; starting processes' % result['seed_s'])
        dep.start()
        if 'api' in args.phases:
            common.log('measuring API')
            result['metrics'].update(scenarios.measure_api(
                dep, rng, n_create, n_read, hosts,
                n_409=1 if args.quick else 20))
        if 'engine' in args.phases:
            common.log('measuring engine')
            result['metrics'].update(engine.measure_engine(
                dep.config.path, rng, n_engine))
        if 'sustained' in args.phases:
            common.log('measuring sustained creates for %ss' % seconds)
            result['metrics'].update(scenarios.measure_sustained(
                dep, seconds, args.clients, args.seed))
        if args.profile and not getattr(args, 'profiled', False):
            # The smallest size only: the profile's shares barely move
            # with size and it costs minutes at large ones.
            args.profiled = True
            common.log('profiling %d creates' % args.profile)
            result['profile'] = profiling.profile_creates(
                dep, rng, args.profile, directory)
    except Exception:
        if dep is not None:
            dep.dump_logs()
        raise
    finally:
        if dep is not None:
            dep.stop()
        database.drop()
        if not args.keep_logs:
            shutil.rmtree(directory, ignore_errors=True)
        else:
            common.log('logs kept in %s' % directory)
    result['load_after'] = common.load()
    return result


def main(argv=None, description=None):
    p = parser(description)
    args = p.parse_args(argv)
    args.phases = set(args.phases.split(','))
    unknown = args.phases - set(PHASES)
    if unknown:
        p.error('unknown phase(s): %s' % ', '.join(sorted(unknown)))
    # SIGTERM (timeout, kill) unwinds like Ctrl-C: the processes, the
    # database and the queues are still removed.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(143))

    if args.quick:
        n_create, n_read, n_engine, seconds = 20, 20, 30, 6
    else:
        n_create, n_read, n_engine, seconds = (args.creates, args.reads,
                                               args.engine_runs, args.seconds)
    stored = report.load_baseline()
    t0 = time.monotonic()
    runs = []
    for h, l in sizes_of(args):
        runs.append(run_size(args, h, l, n_create, n_read, n_engine,
                             seconds))
        # Each size's numbers as soon as they exist.
        sys.stderr.write('\n%s\n\n' % report.report(args.db, runs[-1:],
                                                    stored))
        if args.json:
            report.write_json(args.json, runs)
    print()
    print(report.title(args.db, args.quick, time.monotonic() - t0))
    print()
    print(report.report(args.db, runs, stored))
    for line in report.profiles(runs):
        print(line)
    if args.save_baseline:
        report.save_baseline(stored, args.db, runs)
    return 0
