"""init_aligner / embed_video / align_pair on a real config and dataset."""
import os.path as osp

import pytest
import torch
from mmaction.registry import DATASETS
from mmengine.config import Config

from realign_mm.apis import align_pair, embed_video, init_aligner
from realign_mm.compat import UntrustedCheckpointError
from tests.conftest import CONFIGS, synthetic_cfg_options

CONFIG = osp.join(CONFIGS, 'realign', 'realign_mlp_synthetic.py')


def test_init_aligner_loads_the_checkpoint_weights(tmp_path):
    torch.manual_seed(0)
    trained = init_aligner(CONFIG)
    with torch.no_grad():
        for p in trained.parameters():
            p.add_(1.0)
    path = str(tmp_path / 'ckpt.pth')
    torch.save(dict(state_dict=trained.state_dict()), path)
    torch.manual_seed(1)
    model = init_aligner(CONFIG, path)
    assert not model.training
    for a, b in zip(model.state_dict().values(),
                    trained.state_dict().values()):
        torch.testing.assert_close(a, b)


def test_init_aligner_refuses_a_pickle_that_runs_code(tmp_path):
    path = str(tmp_path / 'evil.pth')
    torch.save(dict(state_dict={}, hook=print), path)  # a global
    with pytest.raises(UntrustedCheckpointError, match='evil.pth'):
        init_aligner(CONFIG, path)


def test_embed_and_align_a_dataset_pair(tiny_synthetic):
    cfg = Config.fromfile(CONFIG)
    cfg.merge_from_dict(synthetic_cfg_options(tiny_synthetic))
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    torch.manual_seed(0)
    model = init_aligner(cfg)
    x, y = dataset[0], dataset[1]
    ex = embed_video(model, x)
    assert ex.shape == (x['inputs'].shape[0], 128)
    torch.testing.assert_close(ex.norm(dim=1), torch.ones(len(ex)))
    # a tensor in the model's input format gives the same embeddings
    torch.testing.assert_close(embed_video(model, x['inputs']), ex)
    pair = align_pair(model, x, y)
    n, m = x['inputs'].shape[0], y['inputs'].shape[0]
    assert pair.plan.shape == (n, m) and pair.distance > 0
    sent = pair.plan.sum(1) * n <= 0.5  # mostly to the sink
    assert ((pair.matches == -1) == sent).all()
    kept = ~sent
    assert (pair.matches[kept] == pair.plan[kept].argmax(1)).all()


def test_a_video_of_another_kind_is_refused():
    model = init_aligner(CONFIG)
    with pytest.raises(ValueError, match='takes features'):
        embed_video(model, torch.zeros(3, 8, 4, 4, 2))  # a clip
    with pytest.raises(TypeError, match='dataset item or a tensor'):
        embed_video(model, 'video.mp4')
