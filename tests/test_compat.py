"""The compatibility module, applied by realign_mm's import."""
import sys

import pytest


def test_mmaction_models_import_and_registries():
    import realign_mm
    realign_mm.apply_compat()  # idempotent
    import mmaction.models  # noqa: F401  (fails without the drn fix)
    from mmaction.registry import DATASETS, HOOKS, METRICS, MODELS
    assert MODELS.get('Recognizer2D') is not None
    assert MODELS.get('ProcedureAligner') is not None
    assert DATASETS.get('EgoProceLDataset') is not None
    assert METRICS.get('KeyStepMetric') is not None
    assert HOOKS.get('CheckpointStateHook') is not None
    drn = sys.modules['mmaction.models.localizers.drn.drn']
    with pytest.raises(ImportError, match='DRN'):
        drn.DRN()


def test_checkpoint_state_round_trip():
    import numpy as np
    from mmengine.logging import HistoryBuffer

    from realign_mm.engine.hooks.checkpoint_state_hook import (from_plain,
                                                               to_plain)
    buf = HistoryBuffer([1.0, 2.5], [1, 2], max_length=10)
    state = {'log_scalars': {'loss': buf},
             'runtime_info': {'x': np.float64(3.0), 'a': np.arange(3)}}
    plain = to_plain(state)
    assert plain['runtime_info'] == {'x': 3.0, 'a': [0, 1, 2]}
    back = from_plain(plain)['log_scalars']['loss']
    np.testing.assert_array_equal(back.data[0], [1.0, 2.5])
    assert back.max_length == 10
