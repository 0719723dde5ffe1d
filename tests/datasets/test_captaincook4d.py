"""CaptainCook4D: the reader on the real release files of ../shared/data,
feature files as they come (.npz, name template, sub-folders) and bad input
named by file and entry."""
import json
import os.path as osp

import numpy as np
import pytest

from realign_mm.datasets import (AnnotationError, CaptainCook4DDataset,
                                 LoadFrameFeatures, frame_labels,
                                 read_captaincook4d_json)

ANN = 'annotations/captaincook4d/annotation_json/complete_step_annotations.json'
FEATS = 'features/captaincook4d_pe'
TEMPLATE = '{video_id}_360p_224.mp4_1s_1s.npz'


def _dataset(shared, split, **kwargs):
    kwargs.setdefault('pipeline', [
        dict(type='LoadFrameFeatures', fps=1.0),
        dict(type='PackProcedureInputs')
    ])
    return CaptainCook4DDataset(
        ann_file=osp.join(shared, ANN),
        data_prefix=dict(features=osp.join(shared, FEATS, 'features')),
        feature_template=TEMPLATE,
        split_file=osp.join(shared, FEATS, 'splits.json'),
        split=split, test_mode=True, **kwargs)


def test_reader_on_the_release_json(shared_data):
    recs = read_captaincook4d_json(osp.join(shared_data, ANN))
    with open(osp.join(shared_data, ANN)) as f:
        raw = json.load(f)
    assert len(recs) == len(raw) == 384
    rec = recs['1_7']
    assert rec['activity_name'] == 'Microwave Egg Sandwich'
    assert rec['activity_id'] == 1
    performed = [s for s in raw['1_7']['steps'] if s['start_time'] != -1]
    assert len(rec['segments']) == len(performed)
    first = rec['segments'][0]
    assert (first.step, first.start, first.end) == (3, 7.072, 46.288)
    skipped = sum(s['start_time'] == -1 for r in raw.values()
                  for s in r['steps'])
    assert skipped > 0  # not-performed steps exist and are left out
    assert sum(len(r['segments']) for r in recs.values()) == sum(
        len(r['steps']) for r in raw.values()) - skipped
    with_errors = [k for k, r in raw.items()
                   if any(s['has_errors'] and s['start_time'] != -1
                          for s in r['steps'])]
    assert sorted(k for k, r in recs.items() if r['has_errors']) == sorted(
        with_errors)


def test_official_split_and_real_features(shared_data):
    sizes = {s: len(_dataset(shared_data, s)) for s in ('train', 'val',
                                                        'test')}
    assert sizes == dict(train=33, val=7, test=18)
    ds = _dataset(shared_data, 'test')
    assert ds.metainfo['tasks'] == [
        'Microwave Egg Sandwich', 'Pinwheels', 'Tomato Mozzarella Salad',
        'Zoodles'
    ]
    sample = ds[0]
    meta = sample['data_samples'].metainfo
    info = ds.get_data_info(0)
    feats = np.load(info['feature_path'])['features']
    assert sample['inputs'].shape == feats.shape == (feats.shape[0], 768)
    np.testing.assert_array_equal(sample['inputs'].numpy(),
                                  feats.astype(np.float32))
    expected = frame_labels(info['segments'], feats.shape[0], 1.0)
    np.testing.assert_array_equal(sample['data_samples'].gt_frame_labels,
                                  expected)
    assert 'has_errors' in meta and meta['task'] == info['task']


def test_activity_filter_by_id_and_name(shared_data):
    by_id = _dataset(shared_data, 'train', activities=[10])
    by_name = _dataset(shared_data, 'train', activities=['Pinwheels'])
    assert by_id.metainfo['tasks'] == by_name.metainfo['tasks'] == [
        'Pinwheels']
    assert len(by_id) == len(by_name) > 0
    with pytest.raises(AnnotationError, match=r'unknown activities \[99\]'):
        _dataset(shared_data, 'train', activities=[99])


def _release(tmp_path, steps=None, split=None, features=('r1', 'r2')):
    steps = steps or [dict(step_id=2, start_time=1.0, end_time=3.5,
                           description='Cut', has_errors=False),
                      dict(step_id=5, start_time=-1, end_time=-1,
                           description='Skip', has_errors=False)]
    ann = {rec: dict(recording_id=rec, activity_id=7, activity_name='Tea',
                     steps=steps) for rec in ('r1', 'r2')}
    ann_file = tmp_path / 'complete_step_annotations.json'
    ann_file.write_text(json.dumps(ann))
    split_file = tmp_path / 'split.json'
    split_file.write_text(json.dumps(split or dict(train=['r1', 'r2'])))
    (tmp_path / 'feats' / 'Tea').mkdir(parents=True)
    for rec in features:  # per-recipe sub-folder
        np.savez(tmp_path / 'feats' / 'Tea' / f'{rec}_f.npz',
                 features=np.ones((6, 4), np.float16))
    return dict(ann_file=str(ann_file), split_file=str(split_file),
                split='train', feature_template='{video_id}_f.npz',
                data_prefix=dict(features=str(tmp_path / 'feats')),
                pipeline=[dict(type='LoadFrameFeatures', fps=1.0),
                          dict(type='PackProcedureInputs')])


def test_small_release_in_task_subfolders(tmp_path):
    ds = CaptainCook4DDataset(**_release(tmp_path), test_mode=True)
    assert len(ds) == 2
    sample = ds[0]
    assert sample['inputs'].dtype.is_floating_point
    assert sample['data_samples'].gt_frame_labels.tolist() == [
        0, 2, 2, 2, 0, 0]


@pytest.mark.parametrize('problem, kwargs, match', [
    ('end before start', dict(steps=[dict(step_id=1, start_time=5.0,
                                          end_time=2.0, has_errors=False)]),
     r"recording 'r1', step 1: segment ends at 2.0 before it starts"),
    ('one time missing', dict(steps=[dict(step_id=1, start_time=-1,
                                          end_time=2.0)]),
     r"recording 'r1', step 1: segment starts at -1.0 < 0"),
    ('no step id', dict(steps=[dict(start_time=1.0, end_time=2.0)]),
     r"recording 'r1', step 0: needs a step_id"),
    ('split names an unknown recording', dict(split=dict(train=['r1', 'x9'])),
     r"split 'train' names 1 video\(s\) that .* does not annotate: \['x9'\]"),
    ('split without the split', dict(split=dict(test=['r1'])),
     r"has no split 'train'"),
])
def test_bad_release_is_named(tmp_path, problem, kwargs, match):
    with pytest.raises(AnnotationError, match=match) as err:
        CaptainCook4DDataset(**_release(tmp_path, **kwargs), test_mode=True)
    assert str(tmp_path) in str(err.value), problem


def test_recording_without_features_is_named(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=r"annotated video 'r2' has no input file"):
        CaptainCook4DDataset(**_release(tmp_path, features=('r1', )),
                             test_mode=True)


def _load(path, **kwargs):
    return LoadFrameFeatures(fps=1.0, **kwargs).transform(
        dict(feature_path=str(path), segments=[], video_id='v'))


def test_npz_key_and_bad_feature_files(tmp_path):
    np.savez(tmp_path / 'a.npz', emb=np.arange(12.).reshape(3, 4))
    out = _load(tmp_path / 'a.npz', npz_key='emb')
    assert out['feats'].dtype == np.float32 and out['feats'].shape == (3, 4)
    with pytest.raises(ValueError, match=r"a.npz: no array 'features'.*emb"):
        _load(tmp_path / 'a.npz')
    (tmp_path / 'empty.npy').write_bytes(b'')
    with pytest.raises(ValueError, match='empty.npy: cannot read features'):
        _load(tmp_path / 'empty.npy')
    (tmp_path / 'broken.npz').write_bytes(b'PK\x03\x04 not a zip')
    with pytest.raises(ValueError, match='broken.npz: cannot read features'):
        _load(tmp_path / 'broken.npz')


def test_center_subtracts_the_whole_video_mean(tmp_path):
    x = np.random.default_rng(0).normal(size=(20, 3)).astype(np.float32)
    np.save(tmp_path / 'v.npy', x)
    out = LoadFrameFeatures(fps=1.0, num_frames=4, center=True).transform(
        dict(feature_path=str(tmp_path / 'v.npy'), segments=[],
             video_id='v'))
    assert len(out['frame_inds']) == 4  # sampled, centred on all 20 frames
    np.testing.assert_allclose(out['feats'],
                               x[out['frame_inds']] - x.mean(0), atol=1e-6)
    whole = _load(tmp_path / 'v.npy', center=True)['feats']
    np.testing.assert_allclose(whole.mean(0), 0, atol=1e-6)


def test_csv_with_bom_and_latin1(tmp_path):
    from realign_mm.datasets import read_egoprocel_csv
    bom = tmp_path / 'bom.csv'
    bom.write_bytes('\ufeff4.5,6.0,"1 pour"\r\n'.encode('utf-8'))
    assert read_egoprocel_csv(str(bom))[0].start == 4.5
    latin = tmp_path / 'latin.csv'
    latin.write_bytes('1,2,"1 caf\xe9"\n'.encode('latin-1'))
    with pytest.raises(AnnotationError, match='latin.csv: not UTF-8'):
        read_egoprocel_csv(str(latin))


def test_context_window_reads_neighbours_clamped(tmp_path):
    x = np.arange(10, dtype=np.float32)[:, None] * np.ones((1, 2), np.float32)
    np.save(tmp_path / 'v.npy', x)
    out = _load(tmp_path / 'v.npy', context=2, context_stride=3)
    assert out['feats'].shape == (10, 5, 2)
    np.testing.assert_array_equal(out['feats'][0, :, 0], [0, 0, 0, 3, 6])
    np.testing.assert_array_equal(out['feats'][5, :, 0], [0, 2, 5, 8, 9])
    np.testing.assert_array_equal(out['frame_inds'], np.arange(10))
    x[7] = np.nan  # a NaN in a context frame names that frame
    np.save(tmp_path / 'v.npy', x)
    with pytest.raises(ValueError, match='features of frame 7 contain NaN'):
        _load(tmp_path / 'v.npy', context=1)


def test_csv_row_with_an_unclosed_quote(tmp_path):
    from realign_mm.datasets import read_egoprocel_csv
    path = tmp_path / 'quote.csv'
    path.write_text('1,2,"1 pour\n3,4,"2 stir"\n')
    with pytest.raises(AnnotationError, match=r'quote.csv:1: a quoted field '
                       'runs over a line end'):
        read_egoprocel_csv(str(path))


def test_overlapping_steps_are_reported_once(shared_data):
    """The real release has recordings whose steps overlap in time: the
    dataset says how many, once, and which label their frames get."""
    import logging

    from mmengine.logging import MMLogger

    class Keep(logging.Handler):
        def __init__(self):
            super().__init__(logging.WARNING)
            self.messages = []

        def emit(self, record):
            self.messages.append(record.getMessage())

    keep = Keep()
    logger = MMLogger.get_current_instance()
    logger.addHandler(keep)
    try:
        _dataset(shared_data, 'train')
    finally:
        logger.removeHandler(keep)
    found = [m for m in keep.messages if 'overlapping step segments' in m]
    assert len(found) == 1 and 'later in the file' in found[0]
    assert 'of 33 videos' in found[0]
