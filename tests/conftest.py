import os
import os.path as osp

import pytest

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
SHARED_DATA = osp.join(ROOT, '..', 'shared', 'data')
CONFIGS = osp.join(ROOT, 'configs')


@pytest.fixture(scope='session')
def shared_data():
    """The real annotation files of ../shared/data (skip when absent)."""
    if not osp.isdir(SHARED_DATA):
        pytest.skip(f'real test data not found at {SHARED_DATA}')
    return SHARED_DATA


@pytest.fixture(scope='session', autouse=True)
def _registries():
    import realign_mm  # noqa: F401
    from mmaction.utils import register_all_modules
    register_all_modules(init_default_scope=True)


@pytest.fixture(scope='session')
def tiny_synthetic(tmp_path_factory):
    """A small synthetic dataset in the EgoProceL CSV layout."""
    from realign_mm.synthetic import generate_dataset
    root = str(tmp_path_factory.mktemp('synthetic'))
    generate_dataset(root, num_tasks=2, videos_per_task=5, test_per_task=2,
                     seed=3)
    return root


def synthetic_cfg_options(root: str) -> dict:
    """Config overrides pointing the synthetic configs at ``root``."""
    from realign_mm.experiments import dataset_overrides
    return dataset_overrides('synthetic', root)


os.environ.setdefault('OMP_NUM_THREADS', '2')
