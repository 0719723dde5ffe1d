"""Nested config keys no class reads are refused with the path and the
closest valid names (issue: nothing silent)."""
import glob
import os.path as osp
import subprocess
import sys

import pytest
from mmengine.config import Config

from realign_mm.utils import ConfigKeyError, check_config_keys
from tests.conftest import CONFIGS, ROOT

CC4D = osp.join(CONFIGS, 'realign', 'realign_mlp_captaincook4d-pe.py')


@pytest.mark.parametrize('config', sorted(
    glob.glob(osp.join(CONFIGS, '*', '*.py'))), ids=osp.basename)
def test_every_shipped_config_passes(config):
    check_config_keys(Config.fromfile(config))


@pytest.mark.parametrize('key, value, message', [
    ('model.align_loss.alpah', 0.1,
     "model.align_loss.alpah: FPGWLoss has no option 'alpah'; did you mean "
     "'alpha'"),
    ('test_evaluator.num_keystep', 3,
     "KeyStepMetric has no option 'num_keystep'; did you mean "
     "'num_keysteps'"),
    # CheckpointHook swallows it in **kwargs and fails at the first save
    ('default_hooks.checkpoint.max_keep_ckpt', 2,
     "default_hooks.checkpoint.max_keep_ckpt: CheckpointHook has no option"),
    ('env_cfg.cudnn_benchmrk', True, "did you mean 'cudnn_benchmark'"),
    ('env_cfg.mp_cfg.mp_start_methd', 'fork', "'mp_start_method'"),
    ('model.neck.in_chanels', 768, "FrameEmbeddingNeck has no option"),
    ('train_dataloader.sampler.shufle', True,
     "SameTaskPairSampler has no option 'shufle'"),
    ('model.fpgw_loss', dict(type='FPGWLoss'),
     "ProcedureAligner renamed 'fpgw_loss' to 'align_loss'"),
])
def test_misspelt_nested_keys(key, value, message):
    cfg = Config.fromfile(CC4D)
    cfg.merge_from_dict({key: value})
    with pytest.raises(ConfigKeyError, match=message.replace('(', r'\(')):
        check_config_keys(cfg)


def test_a_pipeline_step_and_an_inherited_loss_are_checked():
    cfg = Config.fromfile(CC4D)
    cfg.train_dataloader.dataset.pipeline[0]['centre'] = True
    with pytest.raises(ConfigKeyError, match=r"pipeline\[0\].centre: "
                       "LoadFrameFeatures .* did you mean 'center'"):
        check_config_keys(cfg)
    cfg = Config.fromfile(CC4D)
    # KOTLoss(**kwargs) forwards to FPGWLoss: its options count, others not
    cfg.model.align_loss = dict(type='KOTLoss', structure_scale=0.2)
    check_config_keys(cfg)
    cfg.model.align_loss.structure_scal = 0.2
    with pytest.raises(ConfigKeyError, match="KOTLoss has no option"):
        check_config_keys(cfg)


def test_train_tool_refuses_a_nested_misspelt_key(tmp_path):
    proc = subprocess.run([
        sys.executable, osp.join(ROOT, 'tools', 'train.py'), CC4D,
        '--work-dir', str(tmp_path), '--cfg-options',
        'model.align_loss.alpah=0.1'
    ], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode != 0
    assert "did you mean 'alpha'" in proc.stderr
