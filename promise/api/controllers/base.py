"""What every controller does the same way: authorize the caller, hide
other projects' rows, refuse a method with 405 and its Allow header.

Invariant: a row of another project answers exactly as a row that does
not exist (404), unless the caller may not even act on their own project
(403): whether a row exists never leaks across projects.
"""

import pecan

from promise.api import errors
from promise import policy


def authorize(rule):
    """The request's context, once it may ``rule`` on its own project."""
    ctx = pecan.request.context
    policy.authorize(ctx, rule, {'project_id': ctx.project_id})
    return ctx


def owned_or_404(ctx, rule, row, not_found):
    """``row`` if the caller may ``rule`` on it; else raise ``not_found``
    (or PolicyNotAuthorized when the rule refuses them everywhere).
    ``row`` None means there is none."""
    if row is None or not policy.check(ctx, rule,
                                       {'project_id': row.project_id}):
        policy.authorize(ctx, rule, {'project_id': ctx.project_id})
        raise not_found
    return row


def abort_not_allowed(allow):
    """405 for a method pecan routed to a handler with the id missing (or
    extra) instead of answering 405 itself."""
    pecan.abort(405, headers={'Allow': allow})


def not_allowed(allow, message, render=errors.response):
    """A 405 answer, for a generic handler pecan runs for every method it
    has no handler for; ``render(status, message)`` builds the body."""
    resp = render(405, message)
    resp.headers['Allow'] = allow
    return resp
