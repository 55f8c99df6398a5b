"""What the benchmark prints and stores: the Markdown table (one column
per size, ratios between sizes and against ``bench/baseline.json``, the
issue targets), the notes under it, the title line, the profiles, and
the reading and writing of ``baseline.json``."""

import json
import os
import platform
import time

from benchlib import common
from benchlib import scenarios

# Issue targets (MariaDB, 2 cores), in ms: (metric, hosts, leases, p50 max);
# None matches any size.
TARGETS = [
    ('create', 1000, 10000, 20.0),
    ('create', 10000, 100000, 50.0),
    ('list_admin', None, 100000, 30.0),
    ('list_project', None, 100000, 30.0),
    # #6: "well under a second" at H=1,000 / L=10,000; #9: 100 ms at
    # H=10,000.
    ('capacity_hosts', 1000, 10000, 1000.0),
    ('capacity_hosts', 10000, None, 100.0),
    ('capacity_instance', 1000, 10000, 1000.0),
    ('capacity_instance', 10000, None, 100.0),
]

# The table's rows, in this order (p50, p95, max; sustained: per_s for max).
METRICS = ('create', 'create_filtered', 'create_409', 'create_409_busy',
           'create_instance',
           'list_admin', 'list_project', 'show', 'capacity_hosts',
           'capacity_instance', 'engine', 'engine_filtered',
           'engine_instance', 'engine_capacity_hosts',
           'engine_capacity_instance', 'sustained')


def key(db, hosts, leases):
    return '%s:%d:%d' % (db, hosts, leases)


def fmt(v):
    if v is None:
        return '-'
    if isinstance(v, float):
        return '%.1f' % v if v < 100 else '%.0f' % v
    return str(v)


def target_for(metric, hosts, leases):
    for name, h, l, limit in TARGETS:
        if (name == metric and h in (None, hosts) and
                l in (None, leases)):
            return limit
    return None


def report(db, runs, stored):
    """Markdown table: one column per size, ratios against the baseline."""
    lines = []
    header = ['metric']
    for r in runs:
        header.append('H=%d L=%d' % (r['hosts'], r['leases']))
    if len(runs) > 1:
        header.append('ratio last/first')
    stored_runs = [stored.get(key(db, r['hosts'], r['leases'])) for r in runs]
    if any(stored_runs):
        header.append('ratio vs baseline.json')
    header.append('target (p50)')
    lines.append('| ' + ' | '.join(header) + ' |')
    lines.append('|' + '---|' * len(header))
    for metric in METRICS:
        for stat in ('p50', 'p95', 'max'):
            if metric == 'sustained' and stat == 'max':
                stat = 'per_s'
            row = ['%s %s%s' % (metric, stat, '' if stat == 'per_s'
                                else ' ms')]
            values = [r['metrics'].get(metric, {}).get(stat) for r in runs]
            if not any(v is not None for v in values):
                continue  # a phase that did not run
            row.extend(fmt(v) for v in values)
            if len(runs) > 1:
                a, b = values[0], values[-1]
                row.append('%.2fx' % (b / a) if a and b else '-')
            if any(stored_runs):
                last, ref = values[-1], stored_runs[-1]
                refv = (ref['metrics'].get(metric, {}).get(stat)
                        if ref else None)
                row.append('%.2fx' % (last / refv) if last and refv else '-')
            tgt = []
            if stat == 'p50':
                for r, v in zip(runs, values):
                    limit = target_for(metric, r['hosts'], r['leases'])
                    if limit is not None and v is not None:
                        tgt.append('%s at H=%d L=%d: ≤%g' % (
                            'OK' if v <= limit else 'MISS', r['hosts'],
                            r['leases'], limit))
            row.append(', '.join(tgt) or '')
            lines.append('| ' + ' | '.join(row) + ' |')
    lines.append('')
    for r in runs:
        c409 = r['metrics'].get('create_409', {}).get('status')
        if c409 and {int(k) for k in c409} != {409}:
            lines.append('- H=%d L=%d: create_409 answers %s (503 = the '
                         'offer search outlived [api] rpc_timeout)'
                         % (r['hosts'], r['leases'], c409))
        for name, _ in scenarios.CAPACITY_QUERIES:
            cap = r['metrics'].get(name)
            if cap:
                lines.append('- H=%d L=%d: %s answers %d steps, %d bytes'
                             % (r['hosts'], r['leases'], name,
                                cap['steps'], cap['bytes']))
        sus = r['metrics'].get('sustained')
        lines.append(
            '- H=%d L=%d: seed %.1fs (leases on whole %d minutes)%s; load '
            'before/after %.2f/%.2f' % (
                r['hosts'], r['leases'], r['seed_s'],
                r.get('granularity', 1),
                ', %d creates in sustained phase (%d clients, %d managers), '
                'errors %s' % (sus['ok'], sus['clients'], sus['managers'],
                               sus['errors'] or '{}') if sus else '',
                r['load_before'], r['load_after']))
    return '\n'.join(lines)


def title(db, quick, seconds):
    return 'Promise bench: %s, %s, %d cores, Python %s, %s%s' % (
        db, time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime()),
        os.cpu_count(), platform.python_version(),
        'quick' if quick else 'full', ', %.0fs' % seconds)


def profiles(runs):
    """The py-spy summaries of the runs that have one, as text lines."""
    lines = []
    for r in runs:
        for tag, prof in (r.get('profile') or {}).items():
            if not prof:
                continue
            for kind in ('promise', 'self'):
                lines.append('\nprofile %s (H=%d L=%d), %s, share of %d busy '
                             'samples:' % (tag, r['hosts'], r['leases'], kind,
                                           prof['busy_samples']))
                for f in prof[kind]:
                    lines.append('  %5.1f%%  %s'
                                 % (f['share'] * 100, f['frame']))
    return lines


def load_baseline():
    if not os.path.exists(common.BASELINE):
        return {}
    with open(common.BASELINE) as f:
        return json.load(f)


def save_baseline(stored, db, runs):
    """Store ``runs`` (without their profiles) into ``stored`` and write it
    to baseline.json."""
    for r in runs:
        stored[key(db, r['hosts'], r['leases'])] = {
            k: v for k, v in r.items() if k != 'profile'}
    with open(common.BASELINE, 'w') as f:
        json.dump(stored, f, indent=1, sort_keys=True)


def write_json(path, runs):
    with open(path, 'w') as f:
        json.dump(runs, f, indent=1)
