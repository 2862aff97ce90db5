from rest_framework.permissions import SAFE_METHODS, BasePermission

from registry import roles


class RegistryPermission(BasePermission):
    """Who may write. Who may read what is decided by each model's selector.

    A view names the roles that write it with `write_roles` (default: editors and admins) and
    those that delete with `delete_roles` (default: the same).
    """

    def has_permission(self, request, view):
        if request.method in SAFE_METHODS:
            return True
        user = request.user
        if not user.is_authenticated:
            return False
        if user.is_superuser:
            return True
        allowed = getattr(view, "write_roles", (roles.EDITOR, roles.ADMIN))
        if request.method == "DELETE":
            allowed = getattr(view, "delete_roles", allowed)
        return bool(roles.group_names(user) & set(allowed))
