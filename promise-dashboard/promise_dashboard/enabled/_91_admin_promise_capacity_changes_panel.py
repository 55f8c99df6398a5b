# Promise in the admin dashboard: Admin > Compute > Capacity Changes
# (planned downtimes and future joins of reservable hosts).

PANEL = 'promise_capacity_changes'
PANEL_DASHBOARD = 'admin'
PANEL_GROUP = 'compute'

ADD_PANEL = ('promise_dashboard.content.capacity_changes.panel.'
             'CapacityChanges')

# promise_dashboard itself is added to INSTALLED_APPS by
# _90_project_promise_panel.py (once: Django refuses duplicates).
