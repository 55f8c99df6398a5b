"""Project panel: the capacity timeline and the two-step lease form."""

import datetime
import logging

from django.contrib import messages
from django import http
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from horizon import views

from promise_dashboard.api import promise
from promise_dashboard.content.capacity import chart
from promise_dashboard.content.capacity import forms as capacity_forms

LOG = logging.getLogger(__name__)

DEFAULT_DAYS = 7
INDEX = 'horizon:project:promise_capacity:index'


def _hour_floor(value):
    return value.replace(minute=0, second=0, microsecond=0)


def _steps(capacity):
    """The timeline with datetimes, and the unit the counts are in.

    Host timelines (and instance ones with a shape) count whole units;
    an instance timeline without a shape counts vCPUs."""
    unit = capacity.get('unit') or 'hosts'
    if unit == 'floatingips':
        unit = 'floating IPs'
    steps = []
    for step in capacity.get('timeline') or []:
        values = step
        if 'total' not in step and isinstance(step.get('vcpus'), dict):
            values, unit = step['vcpus'], 'vCPUs'
        steps.append({
            'start': promise.parse_date(step['start_date']),
            'end': promise.parse_date(step['end_date']),
            'total': values.get('total', 0),
            'reserved': values.get('reserved', 0),
            'used': values.get('used', 0),
            'available': values.get('available', 0),
        })
    return steps, unit


def _leases(raw):
    leases = []
    for lease in raw:
        try:
            start = promise.parse_date(lease.get('start_date'))
            end = promise.parse_date(lease.get('end_date'))
        except ValueError:
            continue
        if start is None or end is None:
            continue
        leases.append(dict(lease, start=start, end=end))
    leases.sort(key=lambda le: (le['start'], le.get('name') or ''))
    return leases


class IndexView(views.HorizonTemplateView):
    template_name = 'project/promise_capacity/index.html'
    page_title = _('Reservation Capacity')

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        request = self.request
        form = capacity_forms.WindowForm(request.GET or None)
        values = form.cleaned_data if form.is_valid() else {}
        now = promise.utcnow()
        start = values.get('start') or _hour_floor(now)
        days = values.get('days') or DEFAULT_DAYS
        end = start + datetime.timedelta(days=days)
        resource_type = values.get('resource_type') or promise.HOST
        highlight = request.GET.get('lease')
        if form.is_bound and not form.is_valid():
            context['window_errors'] = form.errors
        context.update({
            'form': form, 'resource_type': resource_type,
            'window_start': start, 'window_end': end, 'days': days,
            'start_input': start.strftime(promise.DATE_IN),
            'resource_types': capacity_forms.RESOURCE_TYPES,
        })

        leases = []
        try:
            leases = _leases(promise.lease_list(request))
        except promise.PromiseError as exc:
            context['lease_error'] = exc.message
        except Exception:
            LOG.exception('Listing leases failed')
            context['lease_error'] = _('Unable to list leases.')
        context['leases'] = [
            le for le in leases if le['end'] > start and le['start'] < end]

        shape = form.shape() if resource_type == promise.INSTANCE else {}
        context['shape'] = shape
        try:
            capacity = promise.capacity_get(request, resource_type, start,
                                            end, **shape)
        except promise.PromiseError as exc:
            # Promise explains itself (its error_message), e.g. a policy
            # that does not let this user read capacity.
            context['capacity_error'] = exc.message
            context['capacity_status'] = exc.status_code
            return context
        except Exception:
            LOG.exception('Reading capacity failed')
            context['capacity_error'] = _('Unable to read capacity.')
            return context
        steps, unit = _steps(capacity)
        least = capacity.get('min_available')
        if isinstance(least, dict):
            # An instance timeline without a shape: per resource class.
            least = least.get('vcpus')
        context.update({
            'steps': steps, 'unit': unit, 'min_available': least,
            'chart': mark_safe(chart.render(  # nosec: escaped in chart
                steps, start, end, leases=leases, unit=unit, now=now,
                highlight=highlight)),
        })
        current = [s for s in steps if s['start'] <= now < s['end']]
        if current:
            context['now_step'] = current[0]
        return context


def _offer_windows(offer, requested=None):
    """The alternatives, without the requested window itself (when it
    fits, its own button commits it)."""
    windows = []
    for alt in offer.get('alternatives') or []:
        start = promise.parse_date(alt['start_date'])
        end = promise.parse_date(alt['end_date'])
        if requested is not None and (start, end) == requested:
            continue
        windows.append({'start': start, 'end': end,
                        'start_input': start.strftime(promise.DATE_IN),
                        'end_input': end.strftime(promise.DATE_IN)})
    return windows


class ReserveView(views.HorizonTemplateView):
    """Step 1: the request, checked with POST /v1/leases/check, and the
    offer (feasible, most that fits, alternative windows).  Step 2: the
    user commits the requested window or an alternative with
    POST /v1/leases.  Stateless: each commit button carries the request
    in hidden inputs and the server validates it again."""

    template_name = 'project/promise_capacity/reserve.html'
    page_title = _('Reserve Hosts')

    def get(self, request, *args, **kwargs):
        start = _hour_floor(promise.utcnow()) + datetime.timedelta(hours=1)
        form = capacity_forms.LeaseRequestForm(initial={
            'start_date': start.strftime(promise.DATE_IN),
            'end_date': (start + datetime.timedelta(days=1)).strftime(
                promise.DATE_IN),
            'min_hosts': 1, 'max_hosts': 1})
        return self._render(form)

    def post(self, request, *args, **kwargs):
        form = capacity_forms.LeaseRequestForm(request.POST)
        action = request.POST.get('action', 'check')
        if not form.is_valid():
            return self._render(form)
        data = form.cleaned_data
        args = (request, data['name'], data['start_date'], data['end_date'],
                form.reservations())
        if action == 'commit':
            return self._commit(form, args)
        try:
            offer = promise.lease_check(*args)
        except promise.PromiseError as exc:
            return self._render(form, error=exc.message)
        return self._render(form, offer=offer)

    def _commit(self, form, args):
        request = self.request
        try:
            lease = promise.lease_create(*args)
        except promise.Conflict as exc:
            # Someone took the capacity meanwhile: Promise's 409 carries a
            # fresh offer (max_reservable, alternatives).
            body = exc.body if isinstance(exc.body, dict) else {}
            offer = {'feasible': False,
                     'max_reservable': body.get('max_reservable', []),
                     'alternatives': body.get('alternatives', [])}
            return self._render(form, offer=offer, error=exc.message)
        except promise.PromiseError as exc:
            return self._render(form, error=exc.message)
        messages.success(request, _('Lease "%(name)s" is reserved from '
                                    '%(start)s to %(end)s (UTC).') % {
            'name': lease['name'],
            'start': promise.format_date(lease['start_date']),
            'end': promise.format_date(lease['end_date'])})
        start = promise.parse_date(lease['start_date'])
        now = promise.utcnow()
        window = _hour_floor(now)
        if start > now + datetime.timedelta(days=DEFAULT_DAYS - 1):
            window = _hour_floor(start - datetime.timedelta(hours=12))
        query = urlencode({'start': window.strftime(promise.DATE_IN),
                           'lease': lease['id']})
        return http.HttpResponseRedirect('%s?%s' % (reverse(INDEX), query))

    def _render(self, form, offer=None, error=None):
        context = self.get_context_data(form=form, error=error)
        if offer is not None:
            data = form.cleaned_data
            start = data['start_date']
            feasible = bool(offer.get('feasible'))
            requested = None
            if feasible and start != 'now':
                requested = (start, data['end_date'])
            context.update({
                'offer': offer,
                'feasible': feasible,
                'max_reservable': offer.get('max_reservable') or [],
                'alternatives': _offer_windows(offer, requested),
                'hidden': form.hidden_values(),
                'requested_start': (start if start == 'now' else
                                    start.strftime(promise.DATE_IN)),
                'requested_end': data['end_date'].strftime(promise.DATE_IN),
                'max_hosts': data['max_hosts'],
            })
        return self.render_to_response(context)
