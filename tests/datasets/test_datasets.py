"""Datasets, transforms and the pair sampler on real annotation files."""
import os
import os.path as osp

import numpy as np
import pytest
from mmaction.registry import DATASETS

from realign_mm.datasets import (AnnotationError, CrossTaskDataset,
                                 EgoProceLDataset, LoadFrameFeatures,
                                 PackProcedureInputs, ProceLDataset,
                                 SameTaskPairSampler)

PIPELINE = [
    dict(type='LoadFrameFeatures', fps=1.0, num_frames=None),
    dict(type='PackProcedureInputs')
]


def _write_features(folder, videos, frames=200, dim=8):
    os.makedirs(folder, exist_ok=True)
    rng = np.random.default_rng(0)
    for v in videos:
        np.save(osp.join(folder, v + '.npy'),
                rng.normal(size=(frames, dim)).astype(np.float32))


def test_egoprocel_gtcc_json_with_split(shared_data, tmp_path):
    ann = osp.join(shared_data, 'annotations', 'egoprocel_gtcc')
    from realign_mm.datasets import read_gtcc_json, read_split_file
    split = read_split_file(osp.join(ann, 'gtcc_reproduce_data_splits.json'))
    videos = split['tent']['val'] + split['meccano']['val']
    lengths = {v: max(s.end for s in read_gtcc_json(
        osp.join(ann, 'egoprocel.json'), tasks=['tent', 'meccano'])[
            'tent' if 'tent' in v else 'meccano'][v]) for v in videos}
    frames = int(max(lengths.values())) + 2
    _write_features(str(tmp_path), videos, frames=frames)
    ds = DATASETS.build(
        dict(
            type='EgoProceLDataset',
            ann_file=osp.join(ann, 'egoprocel.json'),
            split_file=osp.join(ann, 'gtcc_reproduce_data_splits.json'),
            split='val',
            tasks=['tent', 'meccano'],
            data_prefix=dict(features=str(tmp_path)),
            pipeline=PIPELINE,
            test_mode=True))
    assert len(ds) == len(videos)
    assert ds.metainfo['tasks'] == ['meccano', 'tent']
    sample = ds[0]
    labels = sample['data_samples'].gt_frame_labels.numpy()
    assert sample['inputs'].shape == (frames, 8)
    assert labels.shape == (frames, ) and (labels > 0).any()


def test_crosstask_dataset_real_files(shared_data, tmp_path):
    ann = osp.join(shared_data, 'annotations', 'crosstask_sample',
                   'annotations')
    _write_features(str(tmp_path), ['5sOPNTbFe6A', 'L0MVdMNihGI'],
                    frames=400)
    ds = CrossTaskDataset(
        ann_file=ann, data_prefix=dict(features=str(tmp_path)),
        pipeline=PIPELINE, test_mode=True)
    assert [ds.get_data_info(i)['task'] for i in range(len(ds))] == [
        '105222', '105222']
    labels = ds[0]['data_samples'].gt_frame_labels.numpy()
    # step 1 over [92.39, 114.3] s at 1 fps -> frames 92..114
    assert (labels[92:115] == 1).all() and labels[91] == 0


def test_missing_features_unknown_task_and_nan(tiny_synthetic, tmp_path):
    with pytest.raises(FileNotFoundError, match='has no input file'):
        EgoProceLDataset(
            ann_file=osp.join(tiny_synthetic, 'annotations'),
            data_prefix=dict(features=str(tmp_path)))
    with pytest.raises(AnnotationError, match='unknown task'):
        EgoProceLDataset(
            ann_file=osp.join(tiny_synthetic, 'annotations'),
            data_prefix=dict(features=osp.join(tiny_synthetic, 'features')),
            tasks=['no_such_task'])
    feats = np.load(osp.join(tiny_synthetic, 'features',
                             'task00_v000.npy'))
    feats[3, 1] = np.nan
    np.save(tmp_path / 'bad.npy', feats)
    load = LoadFrameFeatures(fps=2.0)
    with pytest.raises(ValueError, match='frame 3 contain NaN'):
        load(dict(feature_path=str(tmp_path / 'bad.npy'), segments=[],
                  video_id='bad'))


def test_video_shorter_than_annotated(tiny_synthetic, tmp_path):
    from realign_mm.datasets import Segment
    np.save(tmp_path / 'short.npy', np.zeros((10, 4), np.float32))
    load = LoadFrameFeatures(fps=2.0)
    with pytest.raises(ValueError, match='annotated up to 30.00 s'):
        load(dict(feature_path=str(tmp_path / 'short.npy'),
                  segments=[Segment(20.0, 30.0, 1)], video_id='short',
                  ann_source='short.csv'))


def test_procel_layout(tmp_path):
    ann = tmp_path / 'ann' / 'changing_tire'
    ann.mkdir(parents=True)
    (ann / 'changing_tire_0001.csv').write_text('1,2.0,5.0\n2,6.0,8.5\n')
    _write_features(str(tmp_path / 'feat'), ['changing_tire_0001'], 20)
    ds = ProceLDataset(
        ann_file=str(tmp_path / 'ann'),
        data_prefix=dict(features=str(tmp_path / 'feat')),
        pipeline=PIPELINE, test_mode=True)
    labels = ds[0]['data_samples'].gt_frame_labels.numpy()
    np.testing.assert_array_equal(labels[:10], [0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                0])


def test_train_sampling_and_pair_sampler(tiny_synthetic):
    ds = EgoProceLDataset(
        ann_file=osp.join(tiny_synthetic, 'annotations'),
        data_prefix=dict(features=osp.join(tiny_synthetic, 'features')),
        split_file=osp.join(tiny_synthetic, 'splits.json'), split='train',
        pipeline=[dict(type='LoadFrameFeatures', fps=2.0, num_frames=16),
                  PackProcedureInputs()])
    out = ds[0]
    inds = out['data_samples'].metainfo['frame_inds']
    assert len(inds) == 16 and (np.diff(inds) >= 0).all()
    sampler = SameTaskPairSampler(ds, seed=1)
    order = list(sampler)
    assert len(order) == len(sampler) == 2 * len(ds)
    for x, y in zip(order[0::2], order[1::2]):
        assert x != y
        assert ds.get_data_info(x)['task'] == ds.get_data_info(y)['task']
    sampler.set_epoch(1)
    assert list(sampler) != order
    # two ranks get disjoint halves of the same epoch's pairs
    ranks = []
    for rank in (0, 1):
        s = SameTaskPairSampler(ds, seed=1)
        s.rank, s.world_size = rank, 2
        s.pairs_per_rank = -(-len(ds) // 2)
        ranks.append(list(s))
    pairs = [set(zip(r[0::2], r[1::2])) for r in ranks]
    everything = set(zip(order[0::2], order[1::2]))
    assert pairs[0] | pairs[1] == everything
