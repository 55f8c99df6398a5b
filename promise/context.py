"""Request context carried from the API edge through RPC to the manager."""

from oslo_context import context


class RequestContext(context.RequestContext):

    def to_policy_values(self):
        values = super().to_policy_values()
        values['is_admin'] = self.is_admin
        return values

    @classmethod
    def from_dict(cls, values, **kwargs):
        kwargs.setdefault('is_admin', values.get('is_admin', False))
        return super().from_dict(values, **kwargs)


def admin_context():
    """Context for the manager's own work (event handlers, periodic tasks)."""
    return RequestContext(user_id=None, project_id=None, is_admin=True,
                          roles=['admin'], overwrite=False)
