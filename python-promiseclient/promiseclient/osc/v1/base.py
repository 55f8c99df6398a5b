"""Shared pieces of the commands."""

from osc_lib import exceptions as osc_exceptions

from promiseclient import exceptions


def client(app):
    """The Promise client of the running ``openstack`` shell."""
    return app.client_manager.promise


def show_columns(data, order, formatters=None):
    """(columns, values) of a ShowOne: ``order`` first, then the rest of
    the keys sorted; formatters wrap the cells that need one."""
    formatters = formatters or {}
    names = [k for k in order if k in data]
    names += sorted(k for k in data if k not in names)
    values = [formatters[k](data[k]) if k in formatters else data[k]
              for k in names]
    return tuple(names), tuple(values)


def delete_each(log, what, ids, delete):
    """Delete every id, go on past failures, and fail at the end if any
    failed (as OpenStackClient's own delete commands do)."""
    failed = 0
    for item in ids:
        try:
            delete(item)
            log.info('Deleted %s %s', what, item)
        except exceptions.HTTPError as exc:
            failed += 1
            log.error('Failed to delete %s %s: %s', what, item, exc)
    if failed:
        raise osc_exceptions.CommandError(
            '%d of %d %ss failed to delete.' % (failed, len(ids), what))
