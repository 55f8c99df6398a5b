"""The old nova.conf path of the scheduler filter,
``promise.nova.filter.PromiseFilter``, kept so that existing
configurations still load it. The filter is
``promise_nova.filter.PromiseFilter``, from the promise-nova distribution,
which must be installed beside Promise for this path to work.
"""

import promise_nova.filter

PromiseFilter = promise_nova.filter.PromiseFilter
