"""The typed event classes, generated from contracts/ into `generated.py` by `make codegen`.

Import them from here (`from services.events import OrderCreated`); never edit `generated.py`:
change the contract and run `make codegen`.
"""

from services.events.generated import *  # noqa: F403
from services.events.generated import __all__ as __all__
