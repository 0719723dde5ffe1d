"""The embedded synthetic data: EgoProceL-like statistics, real timelines."""
import glob
import os.path as osp

import numpy as np

from realign_mm.datasets import frame_labels, read_egoprocel_csv
from realign_mm.synthetic import features_on_gtcc_timelines, make_timelines


def test_timelines_look_like_egoprocel():
    timelines, durations = make_timelines(num_tasks=3, videos_per_task=20,
                                          seed=0)
    fg, total, repeats, swaps = 0, 0, 0, 0
    for videos in timelines.values():
        for video, segs in videos.items():
            labels = frame_labels(segs, int(durations[video] * 2), 2.0)
            fg += (labels > 0).sum()
            total += len(labels)
            steps = [s.step for s in segs]
            repeats += len(steps) != len(set(steps))
            swaps += steps != sorted(steps)
    assert 0.3 < fg / total < 0.5  # ~60 % background
    assert repeats > 0 and swaps > 0


def test_written_dataset_matches_its_annotations(tiny_synthetic):
    for path in glob.glob(osp.join(tiny_synthetic, 'annotations', '*',
                                   '*.csv')):
        video = osp.splitext(osp.basename(path))[0]
        feats = np.load(osp.join(tiny_synthetic, 'features', video + '.npy'))
        segs = read_egoprocel_csv(path)
        assert feats.dtype == np.float32 and np.isfinite(feats).all()
        assert max(s.end for s in segs) * 2 < len(feats)


def test_features_on_real_egoprocel_timelines(shared_data, tmp_path):
    json_path = osp.join(shared_data, 'annotations', 'egoprocel_gtcc',
                         'egoprocel.json')
    stats = features_on_gtcc_timelines(json_path, str(tmp_path),
                                       tasks=['pc_assembly'], fps=1.0)
    assert stats['videos'] == 14
    assert len(glob.glob(str(tmp_path / '*.npy'))) == 14
