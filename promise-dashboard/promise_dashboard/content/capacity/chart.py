"""The capacity timeline as an inline SVG, drawn on the server.

No JavaScript library is involved: the page works with scripts off, and
the chart is plain markup the tests (and screen readers, through the
``<title>`` elements) can read.  The main plot shows three step functions
over the window -- total capacity (grey area), reserved (orange area) and
available (green line) -- and below it one lane per lease of the project,
a bar from its start to its end.
"""

import datetime
from xml.sax import saxutils

WIDTH = 960
LEFT = 48
RIGHT = 16
TOP = 34
PLOT_HEIGHT = 220
AXIS = 48
LANE = 22
MAX_LANES = 12

COLORS = {
    'total': '#d9d9d9',
    'total_line': '#8c8c8c',
    'reserved': '#f0ad4e',
    'available': '#3c9a3c',
    'grid': '#eeeeee',
    'now': '#d9534f',
}
STATUS_COLORS = {
    'PENDING': '#5b9bd5',
    'ACTIVE': '#3c9a3c',
    'TERMINATED': '#a6a6a6',
    'ERROR': '#d9534f',
}
DEFAULT_LEASE_COLOR = '#9e7cc1'


def _esc(text):
    return saxutils.escape(str(text))


def _attr(value):
    return saxutils.quoteattr(str(value))


def _nice_ticks(top):
    """Integer y ticks 0..top, at most six of them."""
    if top <= 5:
        return list(range(0, int(top) + 1))
    step = 1
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if top / step <= 5:
            break
    return list(range(0, int(top) + 1, step))


def _time_ticks(start, end):
    """Round instants inside [start, end] for the x axis, with labels."""
    span = end - start
    if span <= datetime.timedelta(hours=12):
        step, fmt = datetime.timedelta(hours=1), '%H:%M'
    elif span <= datetime.timedelta(days=2):
        step, fmt = datetime.timedelta(hours=6), '%m-%d %H:%M'
    elif span <= datetime.timedelta(days=10):
        step, fmt = datetime.timedelta(days=1), '%a %m-%d'
    elif span <= datetime.timedelta(days=40):
        step, fmt = datetime.timedelta(days=5), '%m-%d'
    else:
        step, fmt = datetime.timedelta(days=15), '%m-%d'
    if step >= datetime.timedelta(days=1):
        tick = start.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        hours = step.seconds // 3600
        tick = start.replace(minute=0, second=0, microsecond=0)
        tick = tick.replace(hour=tick.hour - tick.hour % hours)
    ticks = []
    while tick <= end:
        if tick >= start:
            ticks.append((tick, tick.strftime(fmt)))
        tick += step
    return ticks


class _Scale:
    def __init__(self, start, end, top, plot_width):
        self.start, self.end = start, end
        self.seconds = max((end - start).total_seconds(), 1.0)
        self.top = max(top, 1)
        self.plot_width = plot_width

    def x(self, when):
        when = min(max(when, self.start), self.end)
        frac = (when - self.start).total_seconds() / self.seconds
        return round(LEFT + frac * self.plot_width, 1)

    def y(self, value):
        return round(TOP + PLOT_HEIGHT - value / self.top * PLOT_HEIGHT, 1)


def _step_path(steps, key, scale, close):
    """SVG path data of a step function; closed down to 0 for an area."""
    points = []
    for step in steps:
        y = scale.y(step[key])
        points.append((scale.x(step['start']), y))
        points.append((scale.x(step['end']), y))
    if not points:
        return ''
    data = 'M%s,%s ' % points[0] + ' '.join('L%s,%s' % p for p in points[1:])
    if close:
        base = scale.y(0)
        data += ' L%s,%s L%s,%s Z' % (points[-1][0], base, points[0][0], base)
    return data


def _lease_hosts(lease):
    parts = []
    for res in lease.get('reservations') or []:
        if res.get('resource_type') == 'physical:host':
            low, high = res.get('min'), res.get('max')
            parts.append('%s host%s' % (
                low if low == high else '%s-%s' % (low, high),
                '' if high == 1 else 's'))
        elif res.get('resource_type') == 'virtual:instance':
            parts.append('%s instance%s' % (
                res.get('amount'), '' if res.get('amount') == 1 else 's'))
        elif res.get('resource_type') == 'virtual:floatingip':
            parts.append('%s floating IP%s' % (
                res.get('amount'), '' if res.get('amount') == 1 else 's'))
    return ', '.join(parts)


def render(timeline, start, end, leases=(), unit='hosts', now=None,
           highlight=None):
    """The chart as an SVG string (to be marked safe by the caller).

    ``timeline``: steps with datetime ``start``/``end`` and integer
    ``total``, ``reserved``, ``available``.  ``leases``: dicts with datetime
    ``start``/``end``, ``name``, ``status``, ``id`` and the lease's
    ``reservations``; lanes are drawn for those overlapping the window.
    """
    plot_width = WIDTH - LEFT - RIGHT
    top = max([s['total'] for s in timeline] +
              [s['reserved'] for s in timeline] + [1])
    scale = _Scale(start, end, top, plot_width)
    shown = [le for le in leases if le['end'] > start and le['start'] < end]
    shown.sort(key=lambda le: (le['start'], le['name']))
    hidden = len(shown) - MAX_LANES
    shown = shown[:MAX_LANES]
    lanes_top = TOP + PLOT_HEIGHT + AXIS
    height = lanes_top + max(len(shown), 1) * LANE + 10 + (
        LANE if hidden > 0 else 0)
    out = ['<svg xmlns="http://www.w3.org/2000/svg" class="promise-capacity-'
           'chart" role="img" width="100%%" viewBox="0 0 %d %d" '
           'preserveAspectRatio="xMinYMin meet" '
           'style="max-width:%dpx;font-family:sans-serif;font-size:11px">'
           % (WIDTH, height, WIDTH),
           '<title>Capacity from %s to %s (UTC)</title>' % (
               _esc(start.strftime('%Y-%m-%d %H:%M')),
               _esc(end.strftime('%Y-%m-%d %H:%M')))]

    # Legend.
    x = LEFT
    for label, color, kind in (('total', COLORS['total'], 'area'),
                               ('reserved', COLORS['reserved'], 'area'),
                               ('available', COLORS['available'], 'line')):
        if kind == 'area':
            out.append('<rect x="%s" y="8" width="14" height="10" fill="%s" '
                       'stroke="%s"/>' % (x, color, COLORS['total_line']))
        else:
            out.append('<line x1="%s" y1="13" x2="%s" y2="13" stroke="%s" '
                       'stroke-width="3"/>' % (x, x + 14, color))
        out.append('<text x="%s" y="17">%s</text>' % (x + 18, _esc(label)))
        x += 90
    out.append('<text x="%s" y="17" fill="#666">(%s, UTC)</text>'
               % (x, _esc(unit)))

    # Grid and y axis.
    for tick in _nice_ticks(scale.top):
        y = scale.y(tick)
        out.append('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s"/>'
                   % (LEFT, y, LEFT + plot_width, y, COLORS['grid']))
        out.append('<text x="%s" y="%s" text-anchor="end">%d</text>'
                   % (LEFT - 6, y + 4, tick))

    # The step functions.
    out.append('<path class="total" d="%s" fill="%s" stroke="%s"/>' % (
        _step_path(timeline, 'total', scale, True), COLORS['total'],
        COLORS['total_line']))
    out.append('<path class="reserved" d="%s" fill="%s" fill-opacity="0.85"'
               ' stroke="none"/>' % (
                   _step_path(timeline, 'reserved', scale, True),
                   COLORS['reserved']))
    out.append('<path class="available" d="%s" fill="none" stroke="%s" '
               'stroke-width="2.5"/>' % (
                   _step_path(timeline, 'available', scale, False),
                   COLORS['available']))
    # Invisible hover targets: one tooltip per step.
    for step in timeline:
        x1, x2 = scale.x(step['start']), scale.x(step['end'])
        out.append(
            '<rect x="%s" y="%s" width="%s" height="%s" fill="transparent">'
            '<title>%s to %s: total %s, reserved %s, available %s</title>'
            '</rect>' % (x1, TOP, max(x2 - x1, 0.5), PLOT_HEIGHT,
                         _esc(step['start'].strftime('%Y-%m-%d %H:%M')),
                         _esc(step['end'].strftime('%Y-%m-%d %H:%M')),
                         step['total'], step['reserved'], step['available']))

    # x axis.
    base = scale.y(0)
    out.append('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/>'
               % (LEFT, base, LEFT + plot_width, base))
    for tick, label in _time_ticks(start, end):
        x = scale.x(tick)
        out.append('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="#333"/>'
                   % (x, base, x, base + 4))
        out.append('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" '
                   'stroke-dasharray="2,3"/>'
                   % (x, base + 4, x, height - 6, COLORS['grid']))
        out.append('<text x="%s" y="%s" text-anchor="middle">%s</text>'
                   % (x, base + 17, _esc(label)))

    if now is not None and start <= now <= end:
        x = scale.x(now)
        out.append('<line x1="%s" y1="%s" x2="%s" y2="%s" stroke="%s" '
                   'stroke-dasharray="4,3"><title>now</title></line>'
                   % (x, TOP - 4, x, height - 6, COLORS['now']))

    # Lease lanes.
    out.append('<text x="%s" y="%s" font-weight="bold">%s</text>' % (
        LEFT, lanes_top - 6,
        'Leases of this project' if shown else
        'No lease of this project in this window'))
    for i, lease in enumerate(shown):
        y = lanes_top + i * LANE
        x1, x2 = scale.x(lease['start']), scale.x(lease['end'])
        color = STATUS_COLORS.get(lease.get('status'), DEFAULT_LEASE_COLOR)
        strong = highlight is not None and lease.get('id') == highlight
        label = lease['name']
        what = _lease_hosts(lease)
        if what:
            label = '%s (%s)' % (label, what)
        out.append(
            '<g class="lease" data-lease-id=%s>'
            '<title>%s: %s, %s to %s</title>'
            '<rect x="%s" y="%s" width="%s" height="%s" rx="3" fill="%s" '
            'fill-opacity="%s" stroke="%s" stroke-width="%s"/>'
            % (_attr(lease.get('id', '')), _esc(lease['name']),
               _esc(lease.get('status', '')),
               _esc(lease['start'].strftime('%Y-%m-%d %H:%M')),
               _esc(lease['end'].strftime('%Y-%m-%d %H:%M')),
               x1, y + 2, max(x2 - x1, 3), LANE - 6, color,
               '1' if strong else '0.75', '#222' if strong else color,
               '2' if strong else '1'))
        # The label sits inside a wide bar, else to its right (or left).
        if x2 - x1 > 7 * len(label):
            out.append('<text x="%s" y="%s" fill="#fff">%s</text>'
                       % (x1 + 4, y + LANE - 8, _esc(label)))
        elif x2 + 6 * len(label) < WIDTH:
            out.append('<text x="%s" y="%s">%s</text>'
                       % (x2 + 4, y + LANE - 8, _esc(label)))
        else:
            out.append('<text x="%s" y="%s" text-anchor="end">%s</text>'
                       % (x1 - 4, y + LANE - 8, _esc(label)))
        out.append('</g>')
    if hidden > 0:
        out.append('<text x="%s" y="%s" fill="#666">and %d more (see the '
                   'table below)</text>'
                   % (LEFT, lanes_top + len(shown) * LANE + 14, hidden))
    out.append('</svg>')
    return ''.join(out)
