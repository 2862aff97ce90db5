"""Database constraints that report their violation on the field they are about."""

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError


class FieldErrorConstraintsMixin:
    """Move a constraint's error from the form's top to the field it names.

    Django reports a check constraint, or a unique constraint over expressions, as a non-field
    error. `constraint_error_fields` maps a constraint's name to the field that the admin form
    and the API should mark instead.
    """

    constraint_error_fields: dict[str, str] = {}

    def validate_constraints(self, exclude=None):
        errors: dict[str, list] = {}
        for model_class, constraints in self.get_constraints():
            for constraint in constraints:
                try:
                    constraint.validate(model_class, self, exclude=exclude)
                except ValidationError as error:
                    field = self.constraint_error_fields.get(constraint.name, NON_FIELD_ERRORS)
                    if field != NON_FIELD_ERRORS and exclude and field in exclude:
                        field = NON_FIELD_ERRORS
                    errors.setdefault(field, []).append(error)
        if errors:
            raise ValidationError(errors)
