"""What the partners services announce to the apps that build on the directory."""

from django.dispatch import Signal

# Sent by a service inside its transaction, after it changed institutions, with
# `institution_ids` and the names of the `fields` that may have changed.
institutions_changed = Signal()
