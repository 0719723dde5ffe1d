"""realign_mm: REALIGN procedure learning as an OpenMMLab (mmaction2) plugin.

Importing the package applies the stack compatibility fixes once
(:func:`realign_mm.compat.apply_compat`) and registers every module into
mmaction2's registries, so ``custom_imports=dict(imports=['realign_mm'])``
is all a config needs.
"""
from .compat import apply_compat
from .version import __version__

apply_compat()

from . import datasets, engine, evaluation, models, ot  # noqa: E402,F401

__all__ = ['__version__', 'apply_compat', 'datasets', 'engine', 'evaluation',
           'models', 'ot']
