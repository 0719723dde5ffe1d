"""Annotation parsers on the real files of ../shared/data and on bad input."""
import os.path as osp

import numpy as np
import pytest

from realign_mm.datasets import (AnnotationError, Segment, frame_labels,
                                 read_egoprocel_csv, read_gtcc_json,
                                 read_split_file, read_step_csv)


def test_crosstask_csv_real_file(shared_data):
    path = osp.join(shared_data, 'annotations', 'crosstask_sample',
                    'annotations', '105222_5sOPNTbFe6A.csv')
    segs = read_step_csv(path)
    assert segs[0] == Segment(92.39, 114.3, 1)
    assert [s.step for s in segs[:5]] == [1, 3, 4, 2, 5]
    assert all(s.end >= s.start for s in segs)


def test_gtcc_json_real_file(shared_data):
    path = osp.join(shared_data, 'annotations', 'egoprocel_gtcc',
                    'egoprocel.json')
    timelines = read_gtcc_json(path)
    # the CMU-MMAC tasks are misaligned in the public file and skipped
    assert not any(t.endswith('.cmu') for t in timelines)
    assert sum(len(v) for v in timelines.values()) == 161
    tent = timelines['tent']['01.tent.090617.gopro']
    # first rows: 0 (bg) 0-61, 104 61-289, 0, 29 328-433 (frames at 10 fps)
    assert tent[0] == Segment(6.1, 28.9, 104)
    assert tent[1] == Segment(32.8, 43.3, 29)
    with pytest.raises(AnnotationError, match='misaligned'):
        read_gtcc_json(path, tasks=['Salad.cmu'])
    with pytest.raises(AnnotationError, match='unknown task'):
        read_gtcc_json(path, tasks=['NoSuchTask'])


def test_gtcc_split_file(shared_data):
    path = osp.join(shared_data, 'annotations', 'egoprocel_gtcc',
                    'gtcc_reproduce_data_splits.json')
    splits = read_split_file(path)
    assert sum(len(s['train']) for s in splits.values()) == 245
    assert sum(len(s['test']) for s in splits.values()) == 48


def test_egoprocel_csv(tmp_path):
    path = tmp_path / 'OP01-R03-BaconAndEggs.csv'
    path.write_text('0.0,4.5,"0 background"\n4.5,9.25,"30 crack_egg"\n'
                    '\n10,12.5,"6 add_milk, and salt"\n')
    segs = read_egoprocel_csv(str(path))
    assert segs == [Segment(4.5, 9.25, 30), Segment(10.0, 12.5, 6)]


@pytest.mark.parametrize('text,problem,line', [
    ('1.0,2.0,"3 a"\n4.0,oops,"5 b"\n', 'not a number', 2),
    ('1.0,2.0\n', 'expected 3 columns', 1),
    ('5.0,2.0,"3 a"\n', 'ends at 2.0 before it starts at 5.0', 1),
    ('1.0,2.0,"step without id"\n', 'numeric id', 1),
])
def test_egoprocel_csv_errors_name_file_and_line(tmp_path, text, problem,
                                                 line):
    path = tmp_path / 'video.csv'
    path.write_text(text)
    with pytest.raises(AnnotationError) as err:
        read_egoprocel_csv(str(path))
    assert f'{path}:{line}' in str(err.value)
    assert problem in str(err.value)


def test_step_csv_errors(tmp_path):
    path = tmp_path / '105222_x.csv'
    path.write_text('1,3.0,2.0\n')
    with pytest.raises(AnnotationError, match=r':1: segment ends'):
        read_step_csv(str(path))
    path.write_text('0,1.0,2.0\n')
    with pytest.raises(AnnotationError, match='integer >= 1'):
        read_step_csv(str(path))
    with pytest.raises(AnnotationError, match='not found'):
        read_step_csv(str(tmp_path / 'missing.csv'))


def test_frame_labels_rule():
    segs = [Segment(0.5, 1.0, 2), Segment(2.2, 2.9, 5)]
    # fps 2: [floor(1), floor(2)] = frames 1..2; [floor(4.4), floor(5.8)]
    np.testing.assert_array_equal(
        frame_labels(segs, 7, 2.0), [0, 2, 2, 0, 5, 5, 0])
