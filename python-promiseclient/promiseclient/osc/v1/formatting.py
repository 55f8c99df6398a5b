"""Cell formatters: structured for ``-f json|yaml``, readable text for
``-f table|value|shell``."""

from cliff import columns

NUMBER_KEYS = ('total', 'reserved', 'used', 'available')


def short_date(value):
    """``2026-11-21T07:00:00.000000`` -> ``2026-11-21 07:00``."""
    if isinstance(value, str) and len(value) >= 16 and value[10] in 'T ':
        return value[:10] + ' ' + value[11:16]
    return '' if value is None else str(value)


def text_table(headers, rows):
    """A plain aligned table (one line per row) for a single cell."""
    cells = [[str(h) for h in headers]] + [
        ['' if v is None else str(v) for v in row] for row in rows]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append('  '.join(v.ljust(w) for v, w in zip(row, widths))
                     .rstrip())
        if n == 0:
            lines.append('  '.join('-' * w for w in widths))
    return '\n'.join(lines)


def _amount(value):
    """A number, or "available/total" of a per-resource breakdown."""
    if isinstance(value, dict):
        if 'available' in value and 'total' in value:
            return '%s/%s' % (value['available'], value['total'])
        return ', '.join('%s=%s' % kv for kv in sorted(value.items()))
    return value


def timeline_keys(timeline):
    """Value columns of timeline steps: the usual four first, then any
    others (such as vcpus / memory_mb / disk_gb breakdowns)."""
    seen = []
    for step in timeline:
        for key in step:
            if key not in ('start_date', 'end_date') and key not in seen:
                seen.append(key)
    first = [k for k in NUMBER_KEYS if k in seen]
    return first + [k for k in seen if k not in first]


class TimelineColumn(columns.FormattableColumn):
    """The steps of a capacity timeline."""

    def human_readable(self):
        steps = self._value or []
        keys = timeline_keys(steps)
        rows = [[short_date(s.get('start_date')),
                 short_date(s.get('end_date'))] +
                [_amount(s.get(k)) for k in keys] for s in steps]
        return text_table(['start_date', 'end_date'] + keys, rows)

    def machine_readable(self):
        return self._value


class QuotaColumn(columns.FormattableColumn):
    """A project's use of its limits over the window: per step, what it
    holds of each resource, out of its limit where Keystone sets one."""

    def human_readable(self):
        quota = self._value or {}
        limits = quota.get('limits') or {}
        names = list(limits)
        rows = []
        for step in quota.get('timeline') or []:
            cells = []
            for name in names:
                held = step.get(name, 0)
                cells.append(held if limits[name] is None
                             else '%s/%s' % (held, limits[name]))
            rows.append([short_date(step.get('start_date')),
                         short_date(step.get('end_date'))] + cells)
        return 'project %s\n%s' % (
            quota.get('project_id'),
            text_table(['start_date', 'end_date'] + names, rows))

    def machine_readable(self):
        return self._value


def _chart_values(step):
    """(available, total) of a step, for the chart."""
    if 'total' in step:
        return step.get('available') or 0, step.get('total') or 0
    for value in step.values():
        if isinstance(value, dict) and 'total' in value:
            return value.get('available') or 0, value.get('total') or 0
    return 0, 0


def timeline_chart(steps, width=40):
    """A text bar chart: per step, '#' for available and '.' for the rest
    of the total, scaled to the largest total of the window."""
    values = [_chart_values(s) for s in steps]
    scale = max([t for _, t in values] + [1])
    lines = []
    for step, (available, total) in zip(steps, values):
        full = int(round(float(total) * width / scale))
        free = int(round(float(max(available, 0)) * width / scale))
        free = min(free, full)
        bar = '#' * free + '.' * (full - free) + ' ' * (width - full)
        lines.append('%s -> %s |%s| %s/%s' % (
            short_date(step.get('start_date')),
            short_date(step.get('end_date')), bar, available, total))
    return '\n'.join(lines)


class ChartColumn(columns.FormattableColumn):
    """The timeline as a bar chart: the same text in every format."""

    def human_readable(self):
        return timeline_chart(self._value or [])

    def machine_readable(self):
        return timeline_chart(self._value or [])


class WindowsColumn(columns.FormattableColumn):
    """Alternative windows of an offer: one "start -> end" per line."""

    def human_readable(self):
        return '\n'.join('%s -> %s' % (short_date(w.get('start_date')),
                                       short_date(w.get('end_date')))
                         for w in self._value or [])

    def machine_readable(self):
        return self._value


class NumbersColumn(columns.FormattableColumn):
    """A list of numbers, comma-separated."""

    def human_readable(self):
        return ', '.join(str(v) for v in self._value or [])

    def machine_readable(self):
        return self._value


class RowsColumn(columns.FormattableColumn):
    """A list of flat dicts as a small table, keys in a given order."""

    KEYS = ()

    def human_readable(self):
        rows = self._value or []
        if not rows:
            return ''
        keys = [k for k in self.KEYS if any(k in r for r in rows)]
        keys += sorted({k for r in rows for k in r} - set(keys))
        return text_table(keys, [[r.get(k) for k in keys] for r in rows])

    def machine_readable(self):
        return self._value


class AffectedColumn(RowsColumn):
    KEYS = ('reservation_id', 'lease_id', 'old_host_id', 'new_host_id',
            'outcome')


class ListColumn(columns.FormattableColumn):
    def human_readable(self):
        return ', '.join(str(v) for v in self._value or [])

    def machine_readable(self):
        return list(self._value or [])


class DictColumn(columns.FormattableColumn):
    def human_readable(self):
        if not self._value:
            return ''
        return ', '.join('%s=%s' % (k, self._value[k])
                         for k in sorted(self._value))

    def machine_readable(self):
        return self._value
