"""Pure models and rules: no I/O, no framework imports."""

from hedgetui.domain.models import *  # noqa: F403
from hedgetui.domain.models import __all__  # noqa: F401
