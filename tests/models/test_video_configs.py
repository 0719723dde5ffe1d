"""Every video backbone config (mmaction2 model-zoo bases) through
train_step and test_step on a tiny pixel input; nothing is downloaded."""
import glob
import os.path as osp

import pytest
import torch
from mmaction.registry import MODELS
from mmaction.structures import ActionDataSample
from mmengine.config import Config
from mmengine.optim import OptimWrapper

from tests.conftest import CONFIGS

VIDEO_CONFIGS = sorted(glob.glob(osp.join(CONFIGS, 'video', '*.py')))


def _pixel_batch(clip: bool, lengths=(4, 3), context=2, size=32, seed=0):
    g = torch.Generator().manual_seed(seed)
    inputs, samples = [], []
    for i, n in enumerate(lengths):
        shape = (3, n, size, size) if clip else (n, context, 3, size, size)
        inputs.append(torch.randint(0, 256, shape, generator=g,
                                    dtype=torch.uint8))
        s = ActionDataSample()
        s.set_metainfo(dict(video_id=f'v{i}', task='t'))
        s.set_field(torch.randint(0, 3, (n, ), generator=g),
                    'gt_frame_labels')
        samples.append(s)
    return dict(inputs=inputs, data_samples=samples)


@pytest.mark.parametrize('config', VIDEO_CONFIGS, ids=osp.basename)
def test_video_config_train_and_test_step(config, monkeypatch):
    def no_download(*args, **kwargs):
        raise AssertionError(f'tried to download {args} {kwargs}')

    monkeypatch.setattr(torch.hub, 'load_state_dict_from_url', no_download)
    cfg = Config.fromfile(config)
    assert 'clip' in str(cfg.train_dataloader.dataset.pipeline) or \
        'frames' in str(cfg.train_dataloader.dataset.pipeline)
    clip = cfg.train_dataloader.dataset.pipeline[-1]['layout'] == 'clip'
    torch.manual_seed(0)
    model = MODELS.build(cfg.model)
    model.init_weights()
    optim = OptimWrapper(torch.optim.Adam(model.parameters(), lr=1e-4))
    # I3D shrinks time 8x: clips need >= 8 frames
    lengths = (8, 6) if clip else (4, 3)
    log = model.train_step(_pixel_batch(clip, lengths), optim)
    assert {'loss_fpgw', 'loss_contrast'} <= set(log)
    assert all(torch.isfinite(v) for v in log.values())
    model.eval()  # as the Runner's test loop does
    model.test_chunk = 8 if clip else 2  # exercise the chunked test path
    out = model.test_step(_pixel_batch(clip, lengths=(11, )))
    assert out[0].pred_embedding.shape == (11, 128)


def test_clip_vector_backbone_is_refused():
    from realign_mm.models import TemporalNeck
    with pytest.raises(ValueError, match='one vector per clip'):
        TemporalNeck(16)(torch.randn(2, 16), 8)


def test_test_time_pixels_stay_uint8_until_each_chunk():
    """At test time the preprocessor keeps pixels uint8 (a long video is not
    held as float); the model normalises chunk by chunk, with the same
    embeddings as normalising the whole video first."""
    cfg = Config.fromfile(
        osp.join(CONFIGS, 'video', 'tsn_r18_cnc_synthetic-video_cpu.py'))
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    model.test_chunk = 3
    data = model.data_preprocessor(_pixel_batch(False, lengths=(7, )), False)
    assert data['inputs'].dtype == torch.uint8
    with torch.no_grad():
        chunked, _ = model.extract_feat(data['inputs'], data['data_samples'])
        model.test_chunk = None
        whole, _ = model.extract_feat(
            model.data_preprocessor.normalize_pixels(data['inputs']),
            data['data_samples'])
    torch.testing.assert_close(chunked, whole, rtol=1e-4, atol=1e-5)
